import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CatalogueStore } from '../catalogue/catalogue-store';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { shanghaiDate } from '../domain/calendar-date';
import { caseNumberFor } from '../domain/case-number';
import { mayDecideAcceptance, mayEditDraft, mayRead, maySeePersonalData } from '../domain/cases/access';
import type {
  Applicant,
  CaseChannel,
  CaseRecord,
  CaseStatus,
  PinnedMatter,
  ReviewCheck,
} from '../domain/cases/model';
import {
  canonicalJson,
  chainEvent,
  changesBetween,
  genesisHash,
  type TrailEvent,
  verifyChain,
} from '../domain/cases/trail';
import { effectiveVersion } from '../domain/catalogue/versions';
import { maskIdNumber, maskName, maskPhone } from '../domain/masking';
import { hasRole, type Principal, type Role } from '../domain/principal';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { encodeCursor } from '../shared/pagination';
import { CaseNumberTaken, type CaseStore, IdempotencyKeyUsed, VersionConflict } from './case-store';

/**
 * Intake and acceptance at the front desk (前台综合受理): one pipeline for the portal and the counter.
 * Every change writes the case at the version read and its chained trail event in one transaction.
 */
export interface CaseDeps {
  cases: CaseStore;
  catalogue: Pick<CatalogueStore, 'getHead' | 'getVersion'>;
  calendar: WorkingDayCalendar;
  now: () => number;
}

const idempotencyHours = 24;

const notFound = (caseId: string) => new NotFoundError('办件不存在', 'CASE_NOT_FOUND', { caseId });
const versionConflict = () => new ConflictError('办件已被他人处理或修改,请刷新后重试', 'VERSION_CONFLICT');
const wrongStatus = (status: CaseStatus, action: string) =>
  new ConflictError(`办件当前状态不允许${action}`, 'INVALID_CASE_STATUS', { status });

/** The role a principal acts in on a case, for the trail. */
function actingRole(principal: Principal, preferred: Role[]): Role {
  return preferred.find((role) => hasRole(principal, role)) ?? principal.roles[0] ?? 'applicant';
}

function maskApplicant(applicant: Applicant): Applicant {
  return applicant.kind === 'person'
    ? {
        ...applicant,
        name: maskName(applicant.name),
        idNumber: maskIdNumber(applicant.idNumber),
        phone: maskPhone(applicant.phone),
      }
    : { ...applicant, contactName: maskName(applicant.contactName), phone: maskPhone(applicant.phone) };
}

const personalFields = /^applicant\.(idNumber|phone|name|contactName)$/;

export function caseUseCases({ cases, catalogue, calendar, now }: CaseDeps) {
  const nowIso = () => new Date(now()).toISOString();

  const view = (principal: Principal, record: CaseRecord): CaseRecord =>
    maySeePersonalData(principal, record)
      ? record
      : { ...record, applicant: maskApplicant(record.applicant) };

  const readable = async (principal: Principal, caseId: string) => {
    const record = await cases.getCase(caseId);
    // A case someone may not see answers as if it did not exist.
    if (!record || !mayRead(principal, record)) throw notFound(caseId);
    return record;
  };

  /** Writes `next` over `record` with the trail event describing the difference. */
  const change = async (
    principal: Principal,
    record: CaseRecord,
    next: CaseRecord,
    action: string,
    role: Role,
    claimCaseNumber?: string,
  ) => {
    const events = await cases.trail(record.caseId);
    const last = events.at(-1);
    const event = chainEvent(
      {
        seq: (last?.seq ?? 0) + 1,
        at: nowIso(),
        actor: actorOf(principal, role),
        channel: next.channel,
        action,
        changes: changesBetween(
          record as unknown as Record<string, unknown>,
          next as unknown as Record<string, unknown>,
        ),
      },
      last?.hash ?? genesisHash,
    );
    try {
      await cases.saveCase(next, record.version, event, claimCaseNumber);
    } catch (error) {
      if (error instanceof VersionConflict) throw versionConflict();
      throw error;
    }
    return next;
  };

  const pinMatter = async (code: string): Promise<PinnedMatter> => {
    const head = await catalogue.getHead(code);
    const snapshot = head && effectiveVersion(head, shanghaiDate(now()));
    const version = snapshot && (await catalogue.getVersion(code, snapshot.version));
    if (!head || !version) {
      throw new ValidationError('事项不存在或尚未发布', [
        { field: 'body.matterCode', message: '事项不存在或尚未发布' },
      ]);
    }
    if (!head.assignment) {
      throw new ValidationError('该事项尚未进驻综合窗口', [
        { field: 'body.matterCode', message: '该事项尚未进驻综合窗口' },
      ]);
    }
    return {
      code,
      version: version.version,
      name: version.guide.name,
      departmentId: head.departmentId,
      windowId: head.assignment.windowId,
      staffingMode: head.assignment.staffingMode,
      caseType: version.guide.caseType,
      promisedDays: version.guide.promisedLimit.value,
      statutoryDays: version.guide.statutoryLimit.value,
      reviewPoints: version.guide.reviewPoints,
    };
  };

  const replay = async (id: string, requestHash: string): Promise<CaseRecord> => {
    // The first request may still be committing: its record becomes visible within moments.
    for (let attempt = 0; attempt < 40; attempt++) {
      const existing = await cases.getIdempotency(id);
      if (existing) {
        if (existing.requestHash !== requestHash) {
          throw new ConflictError('该幂等键已用于内容不同的另一次提交', 'IDEMPOTENCY_KEY_REUSED');
        }
        const record = await cases.getCase(existing.caseId);
        if (record) return record;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new ConflictError('相同的提交正在处理中,请稍后重试', 'REQUEST_IN_PROGRESS');
  };

  return {
    view,

    async createCase(
      principal: Principal,
      input: { matterCode: string; applicant: Applicant; channel?: 'online' | 'mobile' },
      idempotencyKey: string | undefined,
    ): Promise<{ record: CaseRecord; replayed: boolean }> {
      const asApplicant = hasRole(principal, 'applicant');
      if (!asApplicant && !hasRole(principal, 'clerk'))
        throw new ForbiddenError('只有申请人或综合窗口人员可以创建办件');
      const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
      const idempotencyId = idempotencyKey ? `${principal.userId}#${idempotencyKey}` : undefined;
      if (idempotencyId && (await cases.getIdempotency(idempotencyId))) {
        return { record: await replay(idempotencyId, requestHash), replayed: true };
      }
      const matter = await pinMatter(input.matterCode);
      if (!asApplicant && principal.windowId !== matter.windowId) {
        throw new ForbiddenError('该事项不由本窗口受理');
      }
      const channel: CaseChannel = asApplicant ? (input.channel ?? 'online') : 'counter';
      const at = nowIso();
      const record: CaseRecord = {
        caseId: randomUUID(),
        status: 'draft',
        version: 1,
        channel,
        matter,
        applicant: input.applicant,
        ...(asApplicant ? { ownerId: principal.userId } : {}),
        createdBy: { userId: principal.userId, role: asApplicant ? 'applicant' : 'clerk' },
        createdAt: at,
        notices: [],
      };
      const event = chainEvent(
        {
          seq: 1,
          at,
          actor: actorOf(principal, asApplicant ? 'applicant' : 'clerk'),
          channel,
          action: 'create',
          changes: changesBetween(undefined, record as unknown as Record<string, unknown>),
        },
        genesisHash,
      );
      try {
        await cases.createCase(
          record,
          event,
          idempotencyId
            ? {
                id: idempotencyId,
                caseId: record.caseId,
                requestHash,
                expiration: Math.floor(now() / 1000) + idempotencyHours * 3600,
              }
            : undefined,
        );
        return { record, replayed: false };
      } catch (error) {
        if (error instanceof IdempotencyKeyUsed && idempotencyId) {
          return { record: await replay(idempotencyId, requestHash), replayed: true };
        }
        throw error;
      }
    },

    async getCase(principal: Principal, caseId: string) {
      return view(principal, await readable(principal, caseId));
    },

    async updateDraft(principal: Principal, caseId: string, version: number, applicant: Applicant) {
      const record = await readable(principal, caseId);
      if (!mayEditDraft(principal, record)) throw new ForbiddenError('只有申请人本人可以修改草稿');
      if (record.status !== 'draft') throw wrongStatus(record.status, '修改');
      if (record.version !== version) throw versionConflict();
      const next = { ...record, applicant, version: version + 1 };
      return view(
        principal,
        await change(principal, record, next, 'edit-draft', actingRole(principal, ['applicant', 'clerk'])),
      );
    },

    /** 收件: the case gets its number and receipt time; it can no longer be edited by its owner. */
    async submit(principal: Principal, caseId: string, version: number) {
      const record = await readable(principal, caseId);
      if (!mayEditDraft(principal, record)) throw new ForbiddenError('只有申请人本人可以提交');
      if (record.status !== 'draft') throw wrongStatus(record.status, '提交');
      if (record.version !== version) throw versionConflict();
      for (let attempt = 0; ; attempt++) {
        const caseNumber = caseNumberFor(shanghaiDate(now()), randomBytes);
        const next: CaseRecord = {
          ...record,
          status: 'submitted',
          caseNumber,
          receivedAt: nowIso(),
          version: version + 1,
        };
        try {
          return view(
            principal,
            await change(
              principal,
              record,
              next,
              'submit',
              actingRole(principal, ['applicant', 'clerk']),
              caseNumber,
            ),
          );
        } catch (error) {
          if (!(error instanceof CaseNumberTaken) || attempt >= 2) throw error;
        }
      }
    },

    /** 受理: an acceptance notice with its own number; the promised completion date in working days. */
    async accept(principal: Principal, caseId: string, version: number, reviewChecks: ReviewCheck[]) {
      const record = await readable(principal, caseId);
      if (!mayDecideAcceptance(principal, record))
        throw new ForbiddenError('只有受理该事项的窗口人员可以作出受理决定');
      if (record.status !== 'submitted') throw wrongStatus(record.status, '受理');
      if (record.version !== version) throw versionConflict();
      const unchecked = record.matter.reviewPoints.filter(
        (point) => !reviewChecks.some((c) => c.point === point),
      );
      const failed = reviewChecks.filter((c) => !c.passed);
      if (unchecked.length > 0 || failed.length > 0) {
        throw new ValidationError('受理前须逐项核对审查要点且全部通过;不通过的请一次性告知补正或不予受理', [
          ...unchecked.map((point) => ({ field: 'body.reviewChecks', message: `未核对: ${point}` })),
          ...failed.map((c) => ({ field: 'body.reviewChecks', message: `未通过: ${c.point}` })),
        ]);
      }
      const today = shanghaiDate(now());
      const promised =
        record.matter.promisedDays > 0
          ? calendar.addWorkingDays(today, record.matter.promisedDays)
          : { date: today, provisional: false };
      const statutory =
        record.matter.statutoryDays > 0
          ? calendar.addWorkingDays(today, record.matter.statutoryDays)
          : { date: today, provisional: false };
      const noticeNumber = `SL${record.caseNumber}`;
      const at = nowIso();
      const next: CaseRecord = {
        ...record,
        status: 'accepted',
        version: version + 1,
        acceptance: {
          noticeNumber,
          reviewChecks,
          acceptedAt: at,
          acceptedBy: principal.userId,
          promisedCompletionDate: promised.date,
          statutoryCompletionDate: statutory.date,
          provisional: promised.provisional || statutory.provisional,
        },
        notices: [
          ...record.notices,
          {
            number: noticeNumber,
            type: 'acceptance',
            date: today,
            content: {
              title: '受理通知书',
              caseNumber: record.caseNumber,
              matter: record.matter.name,
              applicant: record.applicant.name,
              promisedCompletionDate: promised.date,
              provisional: promised.provisional,
            },
          },
        ],
      };
      return view(
        principal,
        await change(
          principal,
          record,
          next,
          'accept',
          actingRole(principal, ['clerk', 'reviewer', 'chief']),
        ),
      );
    },

    /** 不予受理: reason and legal basis, and a rejection notice. */
    async reject(principal: Principal, caseId: string, version: number, reason: string, legalBasis: string) {
      const record = await readable(principal, caseId);
      if (!mayDecideAcceptance(principal, record))
        throw new ForbiddenError('只有受理该事项的窗口人员可以作出受理决定');
      if (record.status !== 'submitted') throw wrongStatus(record.status, '不予受理');
      if (record.version !== version) throw versionConflict();
      const noticeNumber = `BSL${record.caseNumber}`;
      const at = nowIso();
      const today = shanghaiDate(now());
      const next: CaseRecord = {
        ...record,
        status: 'rejected',
        version: version + 1,
        rejection: { noticeNumber, rejectedAt: at, rejectedBy: principal.userId, reason, legalBasis },
        notices: [
          ...record.notices,
          {
            number: noticeNumber,
            type: 'rejection',
            date: today,
            content: {
              title: '不予受理通知书',
              caseNumber: record.caseNumber,
              matter: record.matter.name,
              applicant: record.applicant.name,
              reason,
              legalBasis,
              remedies: '如不服本决定,可依法申请行政复议或者提起行政诉讼',
            },
          },
        ],
      };
      return view(
        principal,
        await change(
          principal,
          record,
          next,
          'reject',
          actingRole(principal, ['clerk', 'reviewer', 'chief']),
        ),
      );
    },

    async listCases(
      principal: Principal,
      query: { status?: CaseStatus; limit: number; cursor?: Record<string, unknown> },
    ) {
      const scope = hasRole(principal, 'applicant')
        ? ({ kind: 'owner', ownerId: principal.userId } as const)
        : hasRole(principal, 'clerk') && principal.windowId
          ? ({ kind: 'window', windowId: principal.windowId, status: query.status ?? 'submitted' } as const)
          : (hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) && principal.departmentId
            ? ({
                kind: 'department',
                departmentId: principal.departmentId,
                status: query.status ?? 'accepted',
              } as const)
            : undefined;
      if (!scope) throw new ForbiddenError('没有可查看的办件队列');
      const page = await cases.listCases(scope, query.limit, query.cursor);
      const items = page.items
        .filter((record) => scope.kind !== 'owner' || !query.status || record.status === query.status)
        .map((record) => view(principal, record));
      return { items, nextCursor: encodeCursor(page.lastKey) };
    },

    async trail(principal: Principal, caseId: string): Promise<TrailEvent[]> {
      const record = await readable(principal, caseId);
      const events = await cases.trail(caseId);
      if (maySeePersonalData(principal, record)) return events;
      return events.map((event) => ({
        ...event,
        changes: event.changes.map((c) =>
          personalFields.test(c.field)
            ? {
                field: c.field,
                ...(c.old === undefined ? {} : { old: '***' }),
                ...(c.new === undefined ? {} : { new: '***' }),
              }
            : c,
        ),
      }));
    },

    async verifyTrail(principal: Principal, caseId: string) {
      await readable(principal, caseId);
      return verifyChain(await cases.trail(caseId));
    },
  };
}

function actorOf(principal: Principal, role: Role) {
  return {
    userId: principal.userId,
    role,
    ...(principal.windowId ? { windowId: principal.windowId } : {}),
    ...(principal.departmentId ? { departmentId: principal.departmentId } : {}),
  };
}

export type CaseUseCases = ReturnType<typeof caseUseCases>;
