import { createHash } from 'node:crypto';

/**
 * The trail (全过程留痕): an append-only list of events per case, each naming who did what, when, through
 * which channel, and the old and new value of every field it changed. Each event carries the hash of the
 * one before it, so a changed, removed or reordered event breaks the chain at that point.
 */
export interface TrailActor {
  userId: string;
  role: string;
  windowId?: string;
  departmentId?: string;
}

export interface FieldChange {
  field: string;
  old?: unknown;
  new?: unknown;
}

export interface TrailEventBody {
  seq: number;
  at: string;
  actor: TrailActor;
  channel: string;
  action: string;
  changes: FieldChange[];
}

export interface TrailEvent extends TrailEventBody {
  prevHash: string;
  hash: string;
}

/**
 * Who acted, as the trail records it: the role acted in (a principal may hold several; an admin acts as
 * admin), and the window or department the principal is scoped to.
 */
export function trailActor(
  principal: { userId: string; roles: readonly string[]; windowId?: string; departmentId?: string },
  role = principal.roles.includes('admin') ? 'admin' : (principal.roles[0] ?? 'unknown'),
): TrailActor {
  return {
    userId: principal.userId,
    role,
    ...(principal.windowId ? { windowId: principal.windowId } : {}),
    ...(principal.departmentId ? { departmentId: principal.departmentId } : {}),
  };
}

/**
 * Where a step was done (全过程留痕 records the channel of each step, not of the application): the
 * applicant on the case's own online channel, a clerk at the counter, department staff in the back
 * office, the workflow and the schedule loader as the system.
 */
export function stepChannel(actor: TrailActor, record: { channel: string }): string {
  switch (actor.role) {
    case 'applicant':
      return record.channel;
    case 'clerk':
      return 'counter';
    case 'reviewer':
    case 'chief':
      return 'back-office';
    case 'admin':
      return 'centre';
    default:
      return 'system';
  }
}

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const hashOf = (body: TrailEventBody, prevHash: string): string =>
  createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(body)}`)
    .digest('hex');

export function chainEvent(body: TrailEventBody, prevHash: string): TrailEvent {
  return { ...body, prevHash, hash: hashOf(body, prevHash) };
}

export type ChainVerdict =
  | { valid: true; events: number; head: string }
  | { valid: false; brokenAt: number; reason: string };

/** Checks sequence, links and hashes from the first event on; names the first event that does not hold. */
export function verifyChain(events: TrailEvent[]): ChainVerdict {
  let prevHash = genesisHash;
  for (const [index, event] of events.entries()) {
    const { prevHash: linked, hash, ...body } = event;
    if (event.seq !== index + 1)
      return { valid: false, brokenAt: event.seq, reason: `expected event ${index + 1}` };
    if (linked !== prevHash)
      return { valid: false, brokenAt: event.seq, reason: 'does not link to the event before' };
    if (hashOf(body, prevHash) !== hash)
      return { valid: false, brokenAt: event.seq, reason: 'content does not match its hash' };
    prevHash = hash;
  }
  return { valid: true, events: events.length, head: prevHash };
}

/**
 * The changes between two records, leaf by leaf (dotted paths; list elements by index), so that an
 * appended element is recorded alone and a list is never copied whole into the trail.
 */
export function changesBetween(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const walk = (a: unknown, b: unknown, path: string) => {
    // A new or removed object is recorded leaf by leaf, so each field keeps its own old and new value.
    if (
      (a === undefined || isObject(a)) &&
      (b === undefined || isObject(b)) &&
      (isObject(a) || isObject(b))
    ) {
      const left = isObject(a) ? a : {};
      const right = isObject(b) ? b : {};
      for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
        walk(left[key], right[key], join(path, key));
      }
      return;
    }
    if (
      (a === undefined || Array.isArray(a)) &&
      (b === undefined || Array.isArray(b)) &&
      (Array.isArray(a) || Array.isArray(b))
    ) {
      const left = Array.isArray(a) ? a : [];
      const right = Array.isArray(b) ? b : [];
      for (let i = 0; i < Math.max(left.length, right.length); i++)
        walk(left[i], right[i], join(path, String(i)));
      return;
    }
    if (canonicalJson(a) === canonicalJson(b)) return;
    changes.push({
      field: path,
      ...(a === undefined ? {} : { old: a }),
      ...(b === undefined ? {} : { new: b }),
    });
  };
  walk(before ?? {}, after, '');
  return changes;
}
