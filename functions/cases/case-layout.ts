import { createHash } from 'node:crypto';
import { shanghaiDate } from '../domain/calendar-date';
import { isOpenPhase } from '../domain/cases/lifecycle';
import type {
  BackOffice,
  CaseMaterial,
  CaseRecord,
  MatterDetails,
  MatterRef,
  Notice,
  SpecialProcedure,
  SupplementRequest,
} from '../domain/cases/model';
import { canonicalJson, changesBetween, type FieldChange } from '../domain/cases/trail';
import { openIndexKeys } from '../workflow/case-keys';

/**
 * How a case is laid out in the cases table (pure): a small head and its parts, all in the case's
 * partition, so that one Query of `begins_with(sk, 'CASE')` reads the whole aggregate and nothing else.
 *
 *   CASE                        the head: status, phase, version, clock, trail head, keys, list summary
 *                               attributes and a reference to the pinned matter version
 *   CASE#ACCEPTANCE             the review points checked at acceptance
 *   CASE#REJECTION, CASE#INSTANT, CASE#DEFERRALS, CASE#ISSUANCE
 *   CASE#MATERIAL#<id>          one material: the checked file pinned at confirmation, the paper check
 *   CASE#NOTICE#<nnn>           the notices in the order given
 *   CASE#ROUND#<nnn>            each 补正 round, front desk or department
 *   CASE#REVIEW, CASE#DECISION, CASE#RESULT, CASE#PROCEDURE#<nnn>   the back office's steps
 *   CASE#SECRET                 the pick-up code: never in the trail, shown to the applicant only
 *
 * A change of the case writes only the head attributes that changed and the parts that are new or
 * changed; parts are never deleted (a superseded 补正 round stays as it was). The trail records the same
 * delta: head fields with old and new values, and for a part its identifying facts and the sha256 of its
 * content, never its content.
 */
export const headSk = 'CASE';
export const partPrefix = 'CASE#';

export type PartKind =
  | 'acceptance'
  | 'rejection'
  | 'instant'
  | 'deferrals'
  | 'issuance'
  | 'material'
  | 'notice'
  | 'round'
  | 'review'
  | 'decision'
  | 'result'
  | 'procedure'
  | 'secret';

export interface CasePart {
  sk: string;
  part: PartKind;
  body: Record<string, unknown>;
}

export interface CaseLayout {
  head: Record<string, unknown>;
  parts: CasePart[];
}

const pad = (n: number) => String(n).padStart(3, '0');

/** Head attributes that are keys, derived copies or bookkeeping: the trail does not record them. */
const headBookkeeping = new Set([
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'openPk',
  'openSk',
  'dueDate',
  'applicantName',
  'trailHead',
]);

/** The date a worklist sorts a case by: the promised date once accepted, the §32 date before. */
const worklistDueDate = (record: Pick<CaseRecord, 'clock' | 'acceptanceDueDate'>) =>
  record.clock?.promisedDueDate ?? record.acceptanceDueDate;

/** The index keys of a case head (lists by owner, by window, by department; the sparse open index). */
export function caseIndexKeys(record: CaseRecord): Record<string, string> {
  const at = record.receivedAt ?? record.createdAt;
  const due = worklistDueDate(record) ?? shanghaiDate(Date.parse(at));
  const sort = `${due}#${at}#${record.caseId}`;
  return {
    ...(record.ownerId
      ? { gsi1pk: `OWNER#${record.ownerId}`, gsi1sk: `${record.createdAt}#${record.caseId}` }
      : {}),
    // An applicant's draft is nobody's work yet: only the counter's own drafts are in the window's lists.
    ...(record.status === 'draft' && record.ownerId
      ? {}
      : { gsi2pk: `WINDOW#${record.matter.windowId}#${record.status}`, gsi2sk: sort }),
    ...(record.status === 'draft'
      ? {}
      : { gsi3pk: `DEPT#${record.matter.departmentId}#${record.status}`, gsi3sk: sort }),
    // The workflow-start stream and the restart of open cases key on these.
    ...(isOpenPhase(record.phase) ? openIndexKeys(record.caseId) : {}),
  };
}

const matterRef = (matter: CaseRecord['matter']): MatterRef => {
  const { reviewPoints: _points, materials: _materials, ...ref } = matter;
  return ref;
};

const isDefaultMaterial = (material: CaseMaterial) =>
  material.status === 'missing' && !material.file && !material.paperOriginalChecked;

/**
 * The case's own attributes that live on the head (the rest are parts, or derived). Listed, not taken
 * as "whatever else there is": an attribute nobody listed (an earlier layout's task token, say) is
 * neither written nor read back into a response.
 */
const headFields = {
  caseId: true,
  status: true,
  version: true,
  channel: true,
  applicant: true,
  ownerId: true,
  createdBy: true,
  createdAt: true,
  caseNumber: true,
  receivedAt: true,
  acceptanceDueDate: true,
  supplementRounds: true,
  phase: true,
  clock: true,
  attention: true,
  termination: true,
  trailHead: true,
} as const satisfies Partial<Record<keyof CaseRecord, true>>;

/** Every attribute of a case is on the head, in a part, or the pinned matter: nothing is forgotten. */
type Placed =
  | keyof typeof headFields
  | 'matter'
  | 'acceptance'
  | 'backOffice'
  | 'materials'
  | 'notices'
  | 'rejection'
  | 'deferrals'
  | 'instantDecision'
  | 'supplementRequest'
  | 'issuance'
  | 'pickupCode';
const everyAttributePlaced: Exclude<keyof CaseRecord, Placed> extends never ? true : never = true;
void everyAttributePlaced;

const headNames = Object.keys(headFields) as (keyof typeof headFields)[];

/** The items of a case: its head (with index keys) and every part it has now. */
export function caseLayout(record: CaseRecord): CaseLayout {
  const {
    matter,
    materials,
    notices,
    acceptance,
    rejection,
    deferrals,
    instantDecision,
    supplementRequest,
    backOffice,
    issuance,
    pickupCode,
  } = record;
  const rest = Object.fromEntries(
    headNames.flatMap((name) => (record[name] === undefined ? [] : [[name, record[name]]])),
  );
  const due = worklistDueDate(record);
  const head: Record<string, unknown> = {
    ...rest,
    matter: matterRef(matter),
    applicantName: record.applicant.name,
    ...(due ? { dueDate: due } : {}),
    ...caseIndexKeys(record),
  };
  const parts: CasePart[] = [];
  const add = (sk: string, part: PartKind, body: object) =>
    parts.push({ sk: `${partPrefix}${sk}`, part, body: body as Record<string, unknown> });

  if (acceptance) {
    const { reviewChecks, ...summary } = acceptance;
    head.acceptance = summary;
    add('ACCEPTANCE', 'acceptance', { reviewChecks });
  }
  if (rejection) add('REJECTION', 'rejection', rejection);
  if (instantDecision) add('INSTANT', 'instant', instantDecision);
  if (deferrals) add('DEFERRALS', 'deferrals', deferrals);
  if (issuance) add('ISSUANCE', 'issuance', issuance);
  for (const [id, material] of Object.entries(materials)) {
    if (!isDefaultMaterial(material)) add(`MATERIAL#${id}`, 'material', material);
  }
  notices.forEach((notice, i) => {
    add(`NOTICE#${pad(i + 1)}`, 'notice', notice);
  });
  if (supplementRequest) add(`ROUND#${pad(supplementRequest.round)}`, 'round', supplementRequest);
  if (backOffice) {
    const { review, decision, result, supplementRequest: asked, specialProcedures, ...stamps } = backOffice;
    head.backOffice = stamps;
    if (review) add('REVIEW', 'review', review);
    if (decision) add('DECISION', 'decision', decision);
    if (result) add('RESULT', 'result', result);
    if (asked) add(`ROUND#${pad(asked.round)}`, 'round', asked);
    specialProcedures.forEach((procedure, i) => {
      add(`PROCEDURE#${pad(i + 1)}`, 'procedure', procedure);
    });
  }
  if (pickupCode) add('SECRET', 'secret', { pickupCode });
  return { head, parts };
}

/**
 * The case from its items (the head first, then its parts in key order) and the details of its pinned
 * matter version. The inverse of `caseLayout`.
 */
export function assembleCase(
  head: Record<string, unknown>,
  parts: readonly CasePart[],
  details: MatterDetails,
): CaseRecord {
  const { matter, acceptance, backOffice: stamps } = head;
  const rest = Object.fromEntries(
    headNames.flatMap((name) => (head[name] === undefined ? [] : [[name, head[name]]])),
  );
  const sorted = [...parts].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  const only = (kind: PartKind) => sorted.find((p) => p.part === kind)?.body;
  const all = (kind: PartKind) => sorted.filter((p) => p.part === kind).map((p) => p.body);
  const rounds = all('round') as unknown as SupplementRequest[];
  const lastRound = (by: SupplementRequest['by']) => rounds.filter((r) => r.by === by).at(-1);
  const materials: Record<string, CaseMaterial> = Object.fromEntries(
    details.materials.map((m) => [m.id, { status: 'missing' as const }]),
  );
  for (const part of sorted) {
    if (part.part === 'material')
      materials[part.sk.slice(`${partPrefix}MATERIAL#`.length)] = part.body as never;
  }
  const record = {
    ...rest,
    matter: { ...(matter as MatterRef), ...details },
    materials,
    notices: all('notice') as unknown as Notice[],
  } as unknown as CaseRecord;
  if (acceptance) {
    record.acceptance = {
      ...(acceptance as Omit<NonNullable<CaseRecord['acceptance']>, 'reviewChecks'>),
      reviewChecks: (only('acceptance')?.reviewChecks ?? []) as NonNullable<
        CaseRecord['acceptance']
      >['reviewChecks'],
    };
  }
  const rejection = only('rejection');
  if (rejection) record.rejection = rejection as never;
  const instant = only('instant');
  if (instant) record.instantDecision = instant as never;
  const deferrals = only('deferrals');
  if (deferrals) record.deferrals = deferrals as never;
  const issuance = only('issuance');
  if (issuance) record.issuance = issuance as never;
  const windowRound = lastRound('window');
  if (windowRound) record.supplementRequest = windowRound;
  if (stamps) {
    const office: BackOffice = {
      ...(stamps as Omit<BackOffice, 'specialProcedures'>),
      specialProcedures: all('procedure') as unknown as SpecialProcedure[],
    };
    const review = only('review');
    if (review) office.review = review as never;
    const decision = only('decision');
    if (decision) office.decision = decision as never;
    const result = only('result');
    if (result) office.result = result as never;
    const asked = lastRound('department');
    if (asked) office.supplementRequest = asked;
    record.backOffice = office;
  }
  const secret = only('secret');
  if (typeof secret?.pickupCode === 'string') record.pickupCode = secret.pickupCode;
  return record;
}

/** What one change writes: head attributes set or removed, parts put, and the trail's account of it. */
export interface CaseDelta {
  set: Record<string, unknown>;
  remove: string[];
  parts: CasePart[];
  changes: FieldChange[];
}

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

const pick = (body: Record<string, unknown>, names: string[]) =>
  Object.fromEntries(names.flatMap((name) => (body[name] === undefined ? [] : [[name, body[name]]])));

/** Where a part shows in the trail, and the facts that identify it (no free text, no personal data). */
function partInTrail(part: CasePart): { field: string; facts: Record<string, unknown> } | undefined {
  const { body } = part;
  const id = part.sk.slice(part.sk.lastIndexOf('#') + 1);
  switch (part.part) {
    case 'secret':
      return undefined;
    case 'acceptance':
      return {
        field: 'acceptance.reviewChecks',
        facts: { checks: (body.reviewChecks as unknown[]).length },
      };
    case 'rejection':
      return { field: 'rejection', facts: pick(body, ['noticeNumber', 'rejectedAt', 'rejectedBy']) };
    case 'instant':
      return { field: 'instantDecision', facts: pick(body, ['outcome', 'decidedAt', 'decidedBy']) };
    case 'deferrals':
      return {
        field: 'deferrals',
        facts: { items: (body.items as { materialId: string; dueDate: string }[]).map((i) => ({ ...i })) },
      };
    case 'issuance': {
      const issuance = body as unknown as NonNullable<CaseRecord['issuance']>;
      return {
        field: 'issuance',
        facts: {
          method: issuance.method,
          issuedAt: issuance.issuedAt,
          issuedBy: issuance.issuedBy,
          ...(issuance.pickup ? { proof: issuance.pickup.proof } : {}),
          ...(issuance.courier ? { carrier: issuance.courier.carrier } : {}),
          ...(issuance.delivery ? { deliveredAt: issuance.delivery.deliveredAt } : {}),
        },
      };
    }
    case 'material': {
      const material = body as unknown as CaseMaterial;
      return {
        field: `materials.${part.sk.slice(`${partPrefix}MATERIAL#`.length)}`,
        facts: {
          status: material.status,
          ...(material.file
            ? {
                fileSha256: material.file.sha256,
                size: material.file.size,
                contentType: material.file.contentType,
                ...(material.file.versionId ? { versionId: material.file.versionId } : {}),
              }
            : {}),
          ...(material.paperOriginalChecked
            ? { paperOriginalCheckedBy: material.paperOriginalChecked.by }
            : {}),
        },
      };
    }
    case 'notice':
      return { field: `notices.${String(body.number)}`, facts: pick(body, ['type', 'date']) };
    case 'round':
      return {
        field: `supplementRequests.${Number(id)}`,
        facts: {
          ...pick(body, ['by', 'noticeNumber', 'requestedAt', 'resubmittedAt']),
          items: (body.items as unknown[]).length,
        },
      };
    case 'review':
      return { field: 'backOffice.review', facts: pick(body, ['reviewer', 'recommendation', 'at']) };
    case 'decision':
      return { field: 'backOffice.decision', facts: pick(body, ['outcome', 'decidedBy', 'decidedAt']) };
    case 'result': {
      const result = body as unknown as NonNullable<BackOffice['result']>;
      return {
        field: 'backOffice.result',
        facts: {
          resultName: result.resultName,
          ...(result.resultNumber ? { resultNumber: result.resultNumber } : {}),
          producedBy: result.producedBy,
          producedAt: result.producedAt,
          ...(result.document
            ? { documentSha256: result.document.sha256, source: result.document.source }
            : {}),
        },
      };
    }
    case 'procedure':
      return {
        field: `backOffice.specialProcedures.${Number(id)}`,
        facts: pick(body, ['type', 'noticeNumber', 'startedAt', 'startedBy', 'endedAt']),
      };
  }
}

const withoutBookkeeping = (head: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(head).filter(([name]) => !headBookkeeping.has(name)));

/**
 * The writes that take a case from `before` to `after`, and the trail changes that describe them. Pass
 * `undefined` as `before` for a new case (every attribute and part is written).
 */
export function caseDelta(before: CaseRecord | undefined, after: CaseRecord): CaseDelta {
  const old = before ? caseLayout(before) : { head: {}, parts: [] };
  const next = caseLayout(after);
  const set: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(next.head)) {
    if (value !== undefined && canonicalJson(old.head[name]) !== canonicalJson(value)) set[name] = value;
  }
  const remove = Object.keys(old.head).filter(
    (name) => old.head[name] !== undefined && next.head[name] === undefined,
  );
  const oldParts = new Map(old.parts.map((p) => [p.sk, p]));
  const parts = next.parts.filter((p) => {
    const was = oldParts.get(p.sk);
    return !was || canonicalJson(was.body) !== canonicalJson(p.body);
  });
  const changes: FieldChange[] = changesBetween(withoutBookkeeping(old.head), withoutBookkeeping(next.head));
  for (const part of parts) {
    const shown = partInTrail(part);
    if (!shown) continue;
    const was = oldParts.get(part.sk);
    const wasShown = was && partInTrail(was);
    changes.push({
      field: shown.field,
      ...(was && wasShown ? { old: { ...wasShown.facts, sha256: sha256(was.body) } } : {}),
      new: { ...shown.facts, sha256: sha256(part.body) },
    });
  }
  return { set, remove, parts, changes };
}
