import { serviceGuideContent } from '../../domain/catalogue/model';
import type { PublishedSnapshot } from '../../domain/catalogue/versions';
import type { Principal } from '../../domain/principal';
import type { StaffStore } from '../../staff/staff-store';
import { staffUseCases } from '../../staff/use-cases';
import { AlreadyExists, type CatalogueStore, RevisionConflict } from '../catalogue-store';
import { type SeedCatalogue, seedAssessment } from './taoshan-seed';

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
  /** Where the seed's clerks and their qualifications go (the same table); without it, none are loaded. */
  staff?: StaffStore,
): Promise<SeedResult> {
  const counts = {
    windows: seed.windows.length,
    departments: seed.departments.length + 1,
    matters: seed.matters.length,
  };
  if ((await store.listWindows(1)).items.length > 0) {
    // A catalogue loaded before the seed had clerks gets them now.
    if (staff) await loadSeedClerks(staff, store, seed, at);
    return { loaded: false, ...counts };
  }
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
  // After the windows: a clerk's window must exist (a start interrupted here finishes them next time).
  if (staff) await loadSeedClerks(staff, store, seed, at);
  return { loaded: true, ...counts };
}

/**
 * The seed's clerks with their qualifications, through the staff use cases (each change trailed, as by the
 * centre admin). What exists already is left as it is, so an interrupted load is finished next time.
 */
export async function loadSeedClerks(
  staff: StaffStore,
  catalogue: CatalogueStore,
  seed: SeedCatalogue,
  at: string,
): Promise<void> {
  const records = staffUseCases({ staff, catalogue, now: () => Date.parse(at) });
  const seeder: Principal = { userId: 'seed', roles: ['admin'] };
  for (const clerk of seed.clerks) {
    const { profile, qualifications } = await staff.standing(clerk.userId);
    if (!profile) {
      const input = { name: clerk.name, role: 'clerk' as const, windowId: clerk.windowId, active: true };
      await records.putProfile(seeder, clerk.userId, input, 0);
    }
    const window = seed.windows.find((w) => w.id === clerk.windowId);
    for (const departmentId of window?.departmentIds ?? []) {
      if (qualifications.some((q) => q.departmentId === departmentId)) continue;
      await records.recordQualification(seeder, clerk.userId, departmentId, {
        ...seedAssessment,
        result: 'passed',
      });
    }
  }
}
