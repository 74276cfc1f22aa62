import { serviceGuideContent } from '../../domain/catalogue/model';
import type { PublishedSnapshot } from '../../domain/catalogue/versions';
import { AlreadyExists, type CatalogueStore, RevisionConflict } from '../catalogue-store';
import type { SeedCatalogue } from './taoshan-seed';

/**
 * Loads the seed catalogue into an empty catalogue: departments (the centre too), matters created,
 * published from their window date and assigned, and the windows last, as the mark that the seed is
 * complete. An interrupted load is finished by the next start: what exists already is left as it is.
 */
export interface SeedResult {
  loaded: boolean;
  windows: number;
  departments: number;
  matters: number;
}

const alreadyThere = (error: unknown) => error instanceof AlreadyExists || error instanceof RevisionConflict;

export async function loadSeedCatalogue(
  store: CatalogueStore,
  seed: SeedCatalogue,
  at: string,
): Promise<SeedResult> {
  const counts = {
    windows: seed.windows.length,
    departments: seed.departments.length + 1,
    matters: seed.matters.length,
  };
  if ((await store.listWindows(1)).items.length > 0) return { loaded: false, ...counts };
  const audit = { at, by: 'seed' };
  const ignoreExisting = (error: unknown) => {
    if (!alreadyThere(error)) throw error;
  };

  for (const department of [seed.centre, ...seed.departments]) {
    await store.putDepartment(department, 0, undefined, audit).catch(ignoreExisting);
  }
  for (const matter of seed.matters) {
    if (await store.getHead(matter.code)) continue;
    const guide = serviceGuideContent.parse(matter.guide);
    const created = await store.createMatter(matter.code, matter.departmentId, guide, audit);
    const snapshot: PublishedSnapshot = {
      version: 1,
      name: guide.name,
      caseType: guide.caseType,
      type: guide.type,
      validFrom: matter.assignment.since,
      publishedAt: at,
    };
    const published = await store.publishDraft(
      created.head,
      created.version,
      1,
      { current: snapshot },
      snapshot,
      audit,
    );
    await store.assignMatter(published.head, matter.assignment);
  }
  for (const window of seed.windows) await store.putWindow(window, 0, audit).catch(ignoreExisting);
  return { loaded: true, ...counts };
}
