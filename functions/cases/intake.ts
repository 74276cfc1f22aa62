import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { shanghaiDate } from '../domain/calendar-date';
import { caseNumberFor } from '../domain/case-number';
import { mayEditDraft, maySeePersonalData } from '../domain/cases/access';
import {
  type Applicant,
  type CaseChannel,
  type CaseRecord,
  type CaseStatus,
  type MaterialContentType,
  maxMaterialBytes,
} from '../domain/cases/model';
import { canonicalJson, chainEvent, genesisHash, stepChannel } from '../domain/cases/trail';
import { isValidIdNumber } from '../domain/id-number';
import { hasRole, type Principal } from '../domain/principal';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { readUpload } from '../shared/object-storage';
import { actingRole, actorOf, type CaseContext, idempotencyHours, wrongStatus } from './case-context';
import { caseDelta } from './case-layout';
import { type CaseListScope, CaseNumberTaken, caseCreation, IdempotencyKeyUsed } from './case-store';

/** A draft as intake creates it: the matter version pinned, every material still missing. */
export function newDraftCase(input: {
  caseId: string;
  matter: CaseRecord['matter'];
  applicant: Applicant;
  channel: CaseChannel;
  ownerId?: string | undefined;
  createdBy: { userId: string; role: string };
  at: string;
}): Omit<CaseRecord, 'trailHead'> {
  return {
    caseId: input.caseId,
    status: 'draft',
    version: 1,
    channel: input.channel,
    matter: input.matter,
    applicant: input.applicant,
    ...(input.ownerId ? { ownerId: input.ownerId } : {}),
    createdBy: input.createdBy,
    createdAt: input.at,
    supplementRounds: 0,
    materials: Object.fromEntries(input.matter.materials.map((m) => [m.id, { status: 'missing' as const }])),
    notices: [],
  };
}

/** 收件: the case number, the time of receipt and the §32 deadline. */
export const receivedCase = <T extends Omit<CaseRecord, 'trailHead'>>(
  record: T,
  receipt: { caseNumber: string; at: string; acceptanceDueDate: string },
): T => ({
  ...record,
  status: 'submitted' as CaseStatus,
  caseNumber: receipt.caseNumber,
  receivedAt: receipt.at,
  acceptanceDueDate: receipt.acceptanceDueDate,
  version: record.version + 1,
});

/** An ID number's birth date must not lie after today (Asia/Shanghai): GB 11643 says nothing of the future. */
function assertApplicantToday(applicant: Applicant, today: string) {
  if (applicant.kind === 'person' && !isValidIdNumber(applicant.idNumber, today)) {
    throw new ValidationError('申请人信息有误', [
      { field: 'body.applicant.idNumber', message: '公民身份号码中的出生日期晚于今天' },
    ]);
  }
}

/** Intake (收件) for the portal and the counter: drafts, materials with server-side checks, receipt, lists. */
export function intakeUseCases(ctx: CaseContext) {
  const {
    cases,
    files,
    now,
    nowIso,
    today,
    acceptanceDeadline,
    view,
    listPage,
    assertMayProvide,
    readable,
    act,
    expectVersion,
    pinMatter,
    replay,
  } = ctx;

  return {
    /**
     * A new case (a draft), or with `submit` the draft and its receipt (收件) in one write: what a portal
     * does for an application whose materials need no upload. A retried request with the same
     * Idempotency-Key returns the case the first one created.
     */
    async createCase(
      principal: Principal,
      input: {
        matterCode: string;
        applicant: Applicant;
        channel?: 'online' | 'mobile' | undefined;
        submit?: boolean | undefined;
      },
      idempotencyKey: string | undefined,
    ): Promise<{ record: CaseRecord; replayed: boolean }> {
      const asApplicant = hasRole(principal, 'applicant');
      if (!asApplicant && !hasRole(principal, 'clerk'))
        throw new ForbiddenError('只有申请人或综合窗口人员可以创建办件');
      assertApplicantToday(input.applicant, today());
      const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
      const idempotencyId = idempotencyKey ? `${principal.userId}#${idempotencyKey}` : undefined;
      const matter = await pinMatter(input.matterCode);
      if (!asApplicant && principal.windowId !== matter.windowId) {
        throw new ForbiddenError('该事项不由本窗口受理');
      }
      const channel: CaseChannel = asApplicant ? (input.channel ?? 'online') : 'counter';
      const at = nowIso();
      const actor = actorOf(principal, asApplicant ? 'applicant' : 'clerk');
      const draft = newDraftCase({
        caseId: randomUUID(),
        matter,
        applicant: input.applicant,
        channel,
        ownerId: asApplicant ? principal.userId : undefined,
        createdBy: { userId: principal.userId, role: actor.role },
        at,
      });
      const acceptanceDueDate = input.submit ? await acceptanceDeadline() : undefined;
      for (let attempt = 0; ; attempt++) {
        const caseNumber = input.submit ? caseNumberFor(shanghaiDate(now()), randomBytes) : undefined;
        const created =
          caseNumber && acceptanceDueDate
            ? receivedCase(draft, { caseNumber, at, acceptanceDueDate })
            : draft;
        const event = chainEvent(
          {
            seq: 1,
            at,
            actor,
            channel: stepChannel(actor, created),
            action: caseNumber ? 'create-and-submit' : 'create',
            changes: caseDelta(undefined, { ...created, trailHead: { seq: 0, hash: genesisHash } }).changes,
          },
          genesisHash,
        );
        const record: CaseRecord = { ...created, trailHead: { seq: 1, hash: event.hash } };
        try {
          await cases.write(
            caseCreation(record, event, {
              ...(caseNumber ? { claimCaseNumber: caseNumber } : {}),
              ...(idempotencyId
                ? {
                    idempotency: {
                      id: idempotencyId,
                      caseId: record.caseId,
                      requestHash,
                      expiration: Math.floor(now() / 1000) + idempotencyHours * 3600,
                    },
                  }
                : {}),
            }),
          );
          return { record, replayed: false };
        } catch (error) {
          if (error instanceof IdempotencyKeyUsed && idempotencyId) {
            return { record: await replay(idempotencyId, requestHash), replayed: true };
          }
          if (!(error instanceof CaseNumberTaken) || attempt >= 2) throw error;
        }
      }
    },

    async getCase(principal: Principal, caseId: string) {
      return view(principal, await readable(principal, caseId));
    },

    async updateDraft(principal: Principal, caseId: string, version: number, applicant: Applicant) {
      assertApplicantToday(applicant, today());
      const { saved } = await act(principal, caseId, (record) => {
        if (!mayEditDraft(principal, record)) throw new ForbiddenError('只有申请人本人可以修改草稿');
        if (record.status !== 'draft') throw wrongStatus(record.status, '修改');
        expectVersion(record, version);
        return {
          next: { ...record, applicant, version: version + 1 },
          action: 'edit-draft',
          role: actingRole(principal, ['applicant', 'clerk']),
        };
      });
      return view(principal, saved);
    },

    /** 收件: the case gets its number and receipt time; it can no longer be edited by its owner. */
    async submit(principal: Principal, caseId: string, version: number) {
      for (let attempt = 0; ; attempt++) {
        const caseNumber = caseNumberFor(shanghaiDate(now()), randomBytes);
        try {
          const { saved } = await act(principal, caseId, async (record) => {
            if (!mayEditDraft(principal, record)) throw new ForbiddenError('只有申请人本人可以提交');
            if (record.status !== 'draft') throw wrongStatus(record.status, '提交');
            expectVersion(record, version);
            return {
              next: receivedCase(record, {
                caseNumber,
                at: nowIso(),
                acceptanceDueDate: await acceptanceDeadline(),
              }),
              action: 'submit',
              role: actingRole(principal, ['applicant', 'clerk']),
              options: { claimCaseNumber: caseNumber },
            };
          });
          return view(principal, saved);
        } catch (error) {
          if (!(error instanceof CaseNumberTaken) || attempt >= 2) throw error;
        }
      }
    },

    async listCases(
      principal: Principal,
      query: { status?: CaseStatus | undefined; limit: number; cursor?: Record<string, unknown> | undefined },
    ) {
      const scope: CaseListScope | undefined = hasRole(principal, 'applicant')
        ? { kind: 'owner', ownerId: principal.userId }
        : hasRole(principal, 'clerk') && principal.windowId
          ? { kind: 'window', windowId: principal.windowId, status: query.status ?? 'submitted' }
          : (hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) && principal.departmentId
            ? { kind: 'department', departmentId: principal.departmentId, status: query.status ?? 'accepted' }
            : undefined;
      if (!scope) throw new ForbiddenError('没有可查看的办件队列');
      // Each scope lists only cases its reader handles (or owns): the names are theirs to see.
      return listPage(scope, true, query);
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
      const key = `uploads/${caseId}/${uploadId}`;
      await cases.putUpload(caseId, { uploadId, materialId, key, ...upload });
      return { uploadId, upload: await files.uploadUrl(key, upload.contentType, upload.size) };
    },

    /**
     * Counts an upload: the server copies it to a key no upload URL points to (in AWS also pinning the
     * copy's object version), then reads that copy — real size, type by magic bytes, sha256 (which must
     * match the client's). A PUT to the upload URL afterwards changes nothing the case refers to; a new
     * file is a new upload, confirmed again, and shows in the trail. An upload is confirmed once.
     */
    async confirmMaterial(
      principal: Principal,
      caseId: string,
      materialId: string,
      input: { version: number; uploadId: string; sha256: string },
    ) {
      const record = await readable(principal, caseId);
      assertMayProvide(principal, record, materialId);
      expectVersion(record, input.version);
      const upload = await cases.getUpload(caseId, input.uploadId);
      if (!upload || upload.materialId !== materialId) {
        throw new NotFoundError('上传记录不存在', 'UPLOAD_NOT_FOUND', { uploadId: input.uploadId });
      }
      const pinnedKey = `cases/${caseId}/${materialId}/${upload.uploadId}`;
      let pinned: { versionId?: string };
      try {
        pinned = await files.pin(upload.key, pinnedKey);
      } catch (error) {
        if ((error as Error).name === 'ObjectMissing')
          throw new ConflictError('文件尚未上传', 'FILE_NOT_UPLOADED', { uploadId: upload.uploadId });
        throw error;
      }
      const { facts, issues } = await readUpload(
        files,
        pinnedKey,
        upload,
        maxMaterialBytes,
        pinned.versionId,
      );
      if (facts.sha256 !== input.sha256)
        issues.push({ field: 'body.sha256', message: '文件校验值不符,请重新上传' });
      if (issues.length > 0) throw new ValidationError('上传的材料未通过检查', issues);
      const providedAt = nowIso();
      const { saved } = await act(
        principal,
        caseId,
        (current) => {
          assertMayProvide(principal, current, materialId);
          expectVersion(current, input.version);
          return {
            next: {
              ...current,
              version: input.version + 1,
              materials: {
                ...current.materials,
                [materialId]: {
                  ...current.materials[materialId],
                  status: 'provided',
                  file: {
                    key: pinnedKey,
                    ...pinned,
                    fileName: upload.fileName,
                    contentType: upload.contentType,
                    size: facts.size,
                    sha256: facts.sha256,
                    providedAt,
                  },
                },
              },
            },
            action: 'provide-material',
            role: actingRole(principal, ['applicant', 'clerk']),
            options: { consumeUpload: upload.uploadId },
          };
        },
        record,
      );
      return view(principal, saved);
    },

    /**
     * A short-lived download URL of a material exactly as it was checked (its pinned copy and version),
     * for the applicant and the staff handling the case; the centre's overview does not open files.
     */
    async downloadMaterial(principal: Principal, caseId: string, materialId: string) {
      const record = await readable(principal, caseId);
      if (!maySeePersonalData(principal, record)) throw new ForbiddenError('无权查看申请材料');
      const file = record.materials[materialId]?.file;
      if (!record.materials[materialId])
        throw new NotFoundError('该事项没有这项材料', 'MATERIAL_NOT_FOUND', { materialId });
      if (!file) throw new NotFoundError('该材料尚未提交', 'MATERIAL_NOT_PROVIDED', { materialId });
      const url = await files.downloadUrl(file.key, file.fileName, 300, file.versionId);
      return {
        ...url,
        sha256: file.sha256,
        size: file.size,
        contentType: file.contentType,
        ...(file.versionId ? { versionId: file.versionId } : {}),
      };
    },
  };
}
