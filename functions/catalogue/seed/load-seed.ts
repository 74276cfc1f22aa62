import { chainEvent, changesBetween, genesisHash } from '../../domain/cases/trail';
import { serviceGuideContent } from '../../domain/catalogue/model';
import type { PublishedSnapshot } from '../../domain/catalogue/versions';
import type { StaffStore } from '../../staff/staff-store';
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
    if (staff) await loadSeedClerks(staff, seed, at);
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
  if (staff) await loadSeedClerks(staff, seed, at);
  for (const window of seed.windows) await store.putWindow(window, 0, audit).catch(ignoreExisting);
  return { loaded: true, ...counts };
}

/** The seed's clerks with their qualifications, each with its trail; a clerk already there is left alone. */
export async function loadSeedClerks(staff: StaffStore, seed: SeedCatalogue, at: string): Promise<void> {
  const actor = { userId: 'seed', role: 'system' };
  for (const clerk of seed.clerks) {
    if (await staff.getProfile(clerk.userId)) continue;
    const window = seed.windows.find((w) => w.id === clerk.windowId);
    const profile = {
      userId: clerk.userId,
      name: clerk.name,
      role: 'clerk' as const,
      windowId: clerk.windowId,
      active: true,
    };
    let head = chainEvent(
      {
        seq: 1,
        at,
        actor,
        channel: 'system',
        action: 'create-profile',
        changes: changesBetween(undefined, profile),
      },
      genesisHash,
    );
    const stored = {
      ...profile,
      revision: 1,
      updatedAt: at,
      updatedBy: 'seed',
      trailHead: { seq: 1, hash: head.hash },
    };
    await staff.putProfile(stored, 0, head);
    for (const departmentId of window?.departmentIds ?? []) {
      const qualification = {
        departmentId,
        ...seedAssessment,
        result: 'passed' as const,
        recordedAt: at,
        recordedBy: 'seed',
      };
      const event = chainEvent(
        {
          seq: head.seq + 1,
          at,
          actor,
          channel: 'system',
          action: 'record-qualification',
          changes: changesBetween(undefined, { qualifications: { [departmentId]: qualification } }),
        },
        head.hash,
      );
      await staff.putQualification(
        { ...stored, trailHead: { seq: head.seq, hash: head.hash } },
        qualification,
        event,
      );
      head = event;
    }
  }
}
