import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { shanghaiDate } from '../domain/calendar-date';
import { caseNumberFor } from '../domain/case-number';
import { mayEditDraft } from '../domain/cases/access';
import {
  type Applicant,
  type CaseChannel,
  type CaseRecord,
  type CaseStatus,
  type MaterialContentType,
  maxMaterialBytes,
} from '../domain/cases/model';
import { canonicalJson, chainEvent, changesBetween, genesisHash } from '../domain/cases/trail';
import { hasRole, type Principal } from '../domain/principal';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { readUpload } from '../shared/object-storage';
import { encodeCursor } from '../shared/pagination';
import {
  actingRole,
  actorOf,
  type CaseContext,
  idempotencyHours,
  versionConflict,
  withoutTrailHead,
  wrongStatus,
} from './case-context';
import { CaseNumberTaken, IdempotencyKeyUsed } from './case-store';

/** Intake (收件) for the portal and the counter: drafts, materials with server-side checks, receipt, lists. */
export function intakeUseCases(ctx: CaseContext) {
  const {
    cases,
    files,
    now,
    nowIso,
    acceptanceDeadline,
    view,
    assertMayProvide,
    readable,
    change,
    pinMatter,
    replay,
  } = ctx;
  return {
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
          acceptanceDueDate: await acceptanceDeadline(),
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
      const { facts, issues } = await readUpload(files, upload.key, upload, maxMaterialBytes);
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
  };
}
