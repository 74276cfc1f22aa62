import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CatalogueStore } from '../catalogue/catalogue-store';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { shanghaiDate } from '../domain/calendar-date';
import { caseNumberFor } from '../domain/case-number';
import { type AcceptanceInput, acceptanceIssues } from '../domain/cases/acceptance';
import {
  mayDecideAcceptance,
  mayEditDraft,
  mayProvideMaterials,
  mayRead,
  maySeePersonalData,
} from '../domain/cases/access';
import {
  type Applicant,
  type CaseChannel,
  type CaseMaterial,
  type CaseRecord,
  type CaseStatus,
  type MaterialContentType,
  maxMaterialBytes,
  type PinnedMatter,
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
import { detectFileType } from '../domain/file-type';
import { maskIdNumber, maskName, maskPhone } from '../domain/masking';
import { hasRole, type Principal, type Role } from '../domain/principal';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../shared/errors';
import { type ObjectFacts, ObjectMissing, type ObjectStorage } from '../shared/object-storage';
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
  /** The materials bucket. */
  files: ObjectStorage;
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

export function caseUseCases({ cases, catalogue, calendar, files, now }: CaseDeps) {
  const nowIso = () => new Date(now()).toISOString();
  const today = () => shanghaiDate(now());
  /** §32: 5 working days from receipt to decide or to tell every deficiency at once. */
  const acceptanceDeadline = () => calendar.addWorkingDays(today(), 5).date;

  const view = (principal: Principal, record: CaseRecord) => {
    // §32: past the acceptance deadline with neither decision nor notice, the application counts as accepted.
    const deemedAccepted =
      record.status === 'submitted' &&
      record.acceptanceDueDate !== undefined &&
      record.acceptanceDueDate < today();
    const shown = maySeePersonalData(principal, record)
      ? record
      : { ...record, applicant: maskApplicant(record.applicant) };
    return { ...shown, deemedAccepted };
  };

  /** Materials may be provided before receipt, while a supplement is asked for, and for deferred ones. */
  const assertMayProvide = (principal: Principal, record: CaseRecord, materialId: string) => {
    if (!mayProvideMaterials(principal, record)) throw new ForbiddenError('只有申请人或受理窗口可以提交材料');
    if (!record.materials[materialId]) {
      throw new NotFoundError('该事项没有这项材料', 'MATERIAL_NOT_FOUND', { materialId });
    }
    const deferred =
      record.status === 'accepted' && record.deferrals?.items.some((d) => d.materialId === materialId);
    if (!['draft', 'supplement-requested'].includes(record.status) && !deferred) {
      throw wrongStatus(record.status, '提交材料');
    }
  };

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
    changed: Omit<CaseRecord, 'trailHead'>,
    action: string,
    role: Role,
    claimCaseNumber?: string,
  ) => {
    const event = chainEvent(
      {
        seq: record.trailHead.seq + 1,
        at: nowIso(),
        actor: actorOf(principal, role),
        channel: changed.channel,
        action,
        changes: changesBetween(withoutTrailHead(record), withoutTrailHead(changed)),
      },
      record.trailHead.hash,
    );
    // The case carries the head of its trail, written in the same transaction as the event.
    const next: CaseRecord = { ...changed, trailHead: { seq: event.seq, hash: event.hash } };
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
      materials: version.guide.materials.map((m) => ({
        id: m.id,
        name: m.name,
        required: m.required,
        deferrable: m.deferrable,
        keyMaterial: m.keyMaterial,
      })),
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
      const draft: Omit<CaseRecord, 'trailHead'> = {
        caseId: randomUUID(),
        status: 'draft',
        version: 1,
        channel,
        matter,
        applicant: input.applicant,
        ...(asApplicant ? { ownerId: principal.userId } : {}),
        createdBy: { userId: principal.userId, role: asApplicant ? 'applicant' : 'clerk' },
        createdAt: at,
        supplementRounds: 0,
        materials: Object.fromEntries(matter.materials.map((m) => [m.id, { status: 'missing' as const }])),
        notices: [],
      };
      const event = chainEvent(
        {
          seq: 1,
          at,
          actor: actorOf(principal, asApplicant ? 'applicant' : 'clerk'),
          channel,
          action: 'create',
          changes: changesBetween(undefined, withoutTrailHead(draft)),
        },
        genesisHash,
      );
      const record: CaseRecord = { ...draft, trailHead: { seq: 1, hash: event.hash } };
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
          acceptanceDueDate: acceptanceDeadline(),
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

    /**
     * 受理: every review point checked and passed, every required material provided or, for a deferrable
     * one, deferred (容缺) on the applicant's commitment with a due date no later than the promised date.
     * An instant matter (即办件) is decided in the same step. The notice has its own number.
     */
    async accept(principal: Principal, caseId: string, decision: AcceptanceInput) {
      const record = await readable(principal, caseId);
      if (!mayDecideAcceptance(principal, record)) {
        throw new ForbiddenError('只有受理该事项的窗口人员可以作出受理决定');
      }
      if (record.status !== 'submitted') throw wrongStatus(record.status, '受理');
      if (record.version !== decision.version) throw versionConflict();
      const date = today();
      const promised =
        record.matter.promisedDays > 0
          ? calendar.addWorkingDays(date, record.matter.promisedDays)
          : { date, provisional: false };
      const statutory =
        record.matter.statutoryDays > 0
          ? calendar.addWorkingDays(date, record.matter.statutoryDays)
          : { date, provisional: false };
      const issues = acceptanceIssues(record, decision, promised.date);
      if (issues.length > 0) {
        throw new ValidationError('不符合受理条件:不通过的请一次性告知补正或不予受理', issues);
      }
      const at = nowIso();
      const deferred = decision.deferred;
      const instant = record.matter.caseType === 'instant';
      const noticeNumber = `${deferred ? 'RQ' : 'SL'}${record.caseNumber}`;
      const next: CaseRecord = {
        ...record,
        status: instant ? 'decided' : 'accepted',
        version: decision.version + 1,
        acceptance: {
          noticeNumber,
          reviewChecks: decision.reviewChecks,
          acceptedAt: at,
          acceptedBy: principal.userId,
          promisedCompletionDate: promised.date,
          statutoryCompletionDate: statutory.date,
          provisional: promised.provisional || statutory.provisional,
        },
        ...(deferred
          ? {
              deferrals: {
                items: deferred.items,
                commitment: {
                  statement: deferred.commitment.statement,
                  signedBy: deferred.commitment.signedBy,
                  signedAt: at,
                },
              },
            }
          : {}),
        ...(instant && decision.instantDecision
          ? { instantDecision: { ...decision.instantDecision, decidedAt: at, decidedBy: principal.userId } }
          : {}),
        notices: [
          ...record.notices,
          {
            number: noticeNumber,
            type: deferred ? 'deferrable-acceptance' : 'acceptance',
            date,
            content: {
              title: deferred ? '容缺受理通知书' : '受理通知书',
              caseNumber: record.caseNumber,
              matter: record.matter.name,
              applicant: record.applicant.name,
              promisedCompletionDate: promised.date,
              provisional: promised.provisional,
              ...(deferred
                ? {
                    deferredMaterials: deferred.items.map((item) => ({
                      material: record.matter.materials.find((m) => m.id === item.materialId)?.name,
                      dueDate: item.dueDate,
                      how: '通过网上办事大厅上传或到综合窗口提交',
                    })),
                    consequence: '逾期未补齐容缺材料的,按承诺终止办理',
                  }
                : {}),
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
          instant ? 'accept-and-decide' : 'accept',
          decidingRole(principal),
        ),
      );
    },

    /** 补正 (一次性告知): every deficient or missing material and what is wrong with it, in one notice. */
    async requestSupplement(
      principal: Principal,
      caseId: string,
      version: number,
      items: { materialId: string; problem: string }[],
    ) {
      const record = await readable(principal, caseId);
      if (!mayDecideAcceptance(principal, record)) {
        throw new ForbiddenError('只有受理该事项的窗口人员可以告知补正');
      }
      if (record.status !== 'submitted') throw wrongStatus(record.status, '告知补正');
      if (record.version !== version) throw versionConflict();
      const unknown = items.flatMap((item, i) =>
        record.materials[item.materialId]
          ? []
          : [{ field: `body.items.${i}.materialId`, message: '该事项没有这项材料' }],
      );
      if (unknown.length > 0) throw new ValidationError('补正告知有误', unknown);
      const round = record.supplementRounds + 1;
      const noticeNumber = `BZ${record.caseNumber}-${round}`;
      const next: CaseRecord = {
        ...record,
        status: 'supplement-requested',
        version: version + 1,
        supplementRounds: round,
        supplementRequest: { noticeNumber, items, requestedAt: nowIso() },
        notices: [
          ...record.notices,
          {
            number: noticeNumber,
            type: 'supplement',
            date: today(),
            content: {
              title: '补正材料一次性告知书',
              caseNumber: record.caseNumber,
              matter: record.matter.name,
              round,
              items: items.map((item) => ({
                material: record.matter.materials.find((m) => m.id === item.materialId)?.name,
                problem: item.problem,
              })),
            },
          },
        ],
      };
      return view(
        principal,
        await change(principal, record, next, 'request-supplement', decidingRole(principal)),
      );
    },

    /** The applicant (or the counter) resubmits after a supplement request; the §32 clock starts again. */
    async resubmit(principal: Principal, caseId: string, version: number) {
      const record = await readable(principal, caseId);
      if (!mayProvideMaterials(principal, record))
        throw new ForbiddenError('只有申请人或受理窗口可以提交补正');
      if (record.status !== 'supplement-requested') throw wrongStatus(record.status, '提交补正');
      if (record.version !== version) throw versionConflict();
      const next: CaseRecord = {
        ...record,
        status: 'submitted',
        version: version + 1,
        acceptanceDueDate: acceptanceDeadline(),
      };
      return view(
        principal,
        await change(principal, record, next, 'resubmit', actingRole(principal, ['applicant', 'clerk'])),
      );
    },

    /** A short-lived upload URL for one material; the upload counts only once confirmed. */
    async requestMaterialUpload(
      principal: Principal,
      caseId: string,
      materialId: string,
      upload: { fileName: string; contentType: MaterialContentType; size: number },
    ) {
      const record = await readable(principal, caseId);
      assertMayProvide(principal, record, materialId);
      const uploadId = randomUUID();
      const key = `cases/${caseId}/${materialId}/${uploadId}`;
      await cases.putUpload(caseId, { uploadId, materialId, key, ...upload });
      return { uploadId, upload: await files.uploadUrl(key, upload.contentType, upload.size) };
    },

    /** Reads the upload: its real size, type by magic bytes and sha256 (which must match the client's). */
    async confirmMaterial(
      principal: Principal,
      caseId: string,
      materialId: string,
      input: { version: number; uploadId: string; sha256: string },
    ) {
      const record = await readable(principal, caseId);
      assertMayProvide(principal, record, materialId);
      if (record.version !== input.version) throw versionConflict();
      const upload = await cases.getUpload(caseId, input.uploadId);
      if (!upload || upload.materialId !== materialId) {
        throw new NotFoundError('上传记录不存在', 'UPLOAD_NOT_FOUND', { uploadId: input.uploadId });
      }
      let facts: ObjectFacts;
      try {
        facts = await files.inspect(upload.key, maxMaterialBytes);
      } catch (error) {
        if (error instanceof ObjectMissing) throw new ConflictError('文件尚未上传', 'FILE_NOT_UPLOADED');
        throw error;
      }
      const issues: FieldIssue[] = [];
      if (facts.size > maxMaterialBytes) issues.push({ field: 'file', message: '文件超过 20 MiB 上限' });
      else if (facts.size !== upload.size)
        issues.push({ field: 'file', message: `文件大小 ${facts.size} 与申报的 ${upload.size} 不符` });
      if (detectFileType(facts.head) !== upload.contentType) {
        issues.push({ field: 'file', message: '文件内容与申报的类型不符 (仅接受 PDF、JPEG、PNG、OFD)' });
      }
      if (facts.sha256 !== input.sha256)
        issues.push({ field: 'body.sha256', message: '文件校验值不符,请重新上传' });
      if (issues.length > 0) throw new ValidationError('上传的材料未通过检查', issues);
      const next: CaseRecord = {
        ...record,
        version: input.version + 1,
        materials: {
          ...record.materials,
          [materialId]: {
            ...record.materials[materialId],
            status: 'provided',
            file: {
              key: upload.key,
              fileName: upload.fileName,
              contentType: upload.contentType,
              size: facts.size,
              sha256: facts.sha256,
              providedAt: nowIso(),
            },
          },
        },
      };
      return view(
        principal,
        await change(
          principal,
          record,
          next,
          'provide-material',
          actingRole(principal, ['applicant', 'clerk']),
        ),
      );
    },

    /** The clerk saw the paper original at the counter. */
    async checkPaperOriginal(principal: Principal, caseId: string, materialId: string, version: number) {
      const record = await readable(principal, caseId);
      if (!mayDecideAcceptance(principal, record)) throw new ForbiddenError('只有受理窗口人员可以核验原件');
      if (!record.materials[materialId])
        throw new NotFoundError('该事项没有这项材料', 'MATERIAL_NOT_FOUND', { materialId });
      if (record.version !== version) throw versionConflict();
      const next: CaseRecord = {
        ...record,
        version: version + 1,
        materials: {
          ...record.materials,
          [materialId]: {
            ...(record.materials[materialId] as CaseMaterial),
            paperOriginalChecked: { by: principal.userId, at: nowIso() },
          },
        },
      };
      return view(
        principal,
        await change(principal, record, next, 'check-paper-original', decidingRole(principal)),
      );
    },

    /** §32 oversight: a department's cases received more than 5 working days ago with no decision or notice. */
    async deemedAccepted(
      principal: Principal,
      departmentId: string,
      limit: number,
      cursor?: Record<string, unknown>,
    ) {
      if (!hasRole(principal, 'admin')) throw new ForbiddenError('只有中心管理员可以查看逾期未受理的办件');
      const page = await cases.listCases(
        { kind: 'department', departmentId, status: 'submitted' },
        limit,
        cursor,
        true,
      );
      const date = today();
      const items = page.items.filter((r) => r.acceptanceDueDate !== undefined && r.acceptanceDueDate < date);
      return { items: items.map((r) => view(principal, r)), nextCursor: encodeCursor(page.lastKey) };
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
      return view(principal, await change(principal, record, next, 'reject', decidingRole(principal)));
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

/** The trail records what changed in the case, not the bookkeeping of the trail itself. */
const withoutTrailHead = (record: Omit<CaseRecord, 'trailHead'> & { trailHead?: unknown }) => {
  const { trailHead: _head, ...rest } = record;
  return rest as unknown as Record<string, unknown>;
};

const decidingRole = (principal: Principal): Role => actingRole(principal, ['clerk', 'reviewer', 'chief']);

function actorOf(principal: Principal, role: Role) {
  return {
    userId: principal.userId,
    role,
    ...(principal.windowId ? { windowId: principal.windowId } : {}),
    ...(principal.departmentId ? { departmentId: principal.departmentId } : {}),
  };
}

export type CaseUseCases = ReturnType<typeof caseUseCases>;
