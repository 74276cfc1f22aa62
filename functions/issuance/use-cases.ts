import { randomBytes, randomUUID } from 'node:crypto';
import { type CaseContext, type CaseDeps, caseContext } from '../cases/case-context';
import { caseStep } from '../cases/case-step';
import type { CatalogueStore } from '../catalogue/catalogue-store';
import { shanghaiDate } from '../domain/calendar-date';
import { crockfordRandom } from '../domain/case-number';
import { isDepartmentStaffOf, isOwner, isWindowClerkOf, maySeePersonalData } from '../domain/cases/access';
import type { CaseRecord, Issuance, ResultDocument } from '../domain/cases/model';
import { maxMaterialBytes } from '../domain/cases/model';
import { maskNotice } from '../domain/cases/personal-data';
import type { Principal } from '../domain/principal';
import {
  approvalDocument,
  denialDocument,
  noticeDocument,
  type ResultFacts,
} from '../domain/results/documents';
import {
  issuanceBlockers,
  issuanceMethodLabels,
  pickupIdentityHolds,
  verificationCodeHash,
} from '../domain/results/issuance';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { type ObjectStorage, readUpload } from '../shared/object-storage';
import type { PdfRenderer } from './renderer';
import type { ResultRegistry } from './result-registry';

/**
 * Result documents and issuance (制证, 综合窗口出件, 送达) over the same case core as intake: the department
 * produces the result (a generated PDF or its own signed file), the window issues it by pick-up, courier
 * or electronic delivery, and the case closes (办结) when delivery is recorded.
 */
export interface IssuanceDeps extends CaseDeps {
  /** The results bucket. */
  results: ObjectStorage;
  renderer: PdfRenderer;
  registry: ResultRegistry;
  departments: Pick<CatalogueStore, 'getDepartment' | 'getVersion'>;
  /** Where the public verification answers (printed on every result). */
  verifyUrl: string;
}

const pdf = 'application/pdf';

export function issuanceUseCases(deps: IssuanceDeps) {
  const ctx: CaseContext = caseContext(deps);
  const step = caseStep(ctx);
  const { nowIso, today, readable, view } = ctx;

  const issuerOf = async (record: CaseRecord) =>
    (await deps.departments.getDepartment(record.matter.departmentId))?.name ?? record.matter.departmentId;

  const stored = async (key: string, bytes: Uint8Array, source: ResultDocument['source']) => {
    await deps.results.put(key, bytes, pdf);
    const facts = await deps.results.inspect(key, maxMaterialBytes);
    return { key, sha256: facts.sha256, size: facts.size, contentType: pdf, source } satisfies ResultDocument;
  };

  const deliver = (record: CaseRecord, issuance: Issuance, delivery: NonNullable<Issuance['delivery']>) => ({
    ...record,
    status: 'closed' as const,
    phase: 'closed' as const,
    issuance: { ...issuance, delivery },
  });

  return {
    view,

    /** A presigned PUT for the department's own signed result file (PDF or OFD), checked on production. */
    async requestResultUpload(principal: Principal, caseId: string, size: number) {
      const record = await readable(principal, caseId);
      if (!isDepartmentStaffOf(principal, record))
        throw new NotFoundError('办件不存在', 'CASE_NOT_FOUND', { caseId });
      const uploadId = randomUUID();
      const key = `uploads/${caseId}/${uploadId}.pdf`;
      await deps.cases.putUpload(caseId, {
        uploadId,
        materialId: 'result',
        key,
        fileName: 'result.pdf',
        contentType: pdf,
        size,
      });
      return { uploadId, upload: await deps.results.uploadUrl(key, pdf, size) };
    },

    /**
     * 制证: the result document with its number and verification code, generated as PDF (or the uploaded
     * signed file, checked like a material), stored with its sha256; the public registry entry of the
     * number is written with the case.
     */
    produceResult: (
      principal: Principal,
      caseId: string,
      input: {
        version: number;
        resultName?: string | undefined;
        resultNumber?: string | undefined;
        validUntil?: string | undefined;
        upload?: { uploadId: string; sha256: string } | undefined;
      },
    ) => {
      let registryEntry: Record<string, unknown> | undefined;
      return step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-production'], who: 'department', action: 'produce-result', label: '制证' },
        async (record) => {
          const decision = record.backOffice?.decision;
          if (!decision) throw new ConflictError('尚未作出决定', 'NO_DECISION');
          const approved = decision.outcome === 'approve';
          const version = await deps.departments.getVersion(record.matter.code, record.matter.version);
          const resultName =
            input.resultName ?? (approved ? version?.guide.result.name : undefined) ?? '不予行政许可决定书';
          const resultNumber = input.resultNumber ?? `${approved ? 'ZS' : 'BY'}${record.caseNumber}`;
          const verificationCode = crockfordRandom(8, randomBytes);
          const facts: ResultFacts = {
            resultName: approved ? resultName : '不予行政许可决定书',
            resultNumber,
            verificationCode,
            // The appeal period counts from this date: the Shanghai date of the decision, not UTC's.
            decisionDate: shanghaiDate(Date.parse(decision.decidedAt)),
            ...(input.validUntil ? { validUntil: input.validUntil } : {}),
            issuer: await issuerOf(record),
            verifyAt: deps.verifyUrl,
          };
          const key = `results/${caseId}/${resultNumber}-${randomUUID().slice(0, 8)}.pdf`;
          let document: ResultDocument;
          if (input.upload) {
            const upload = await deps.cases.getUpload(caseId, input.upload.uploadId);
            if (upload?.materialId !== 'result')
              throw new NotFoundError('上传记录不存在', 'UPLOAD_NOT_FOUND', {
                uploadId: input.upload.uploadId,
              });
            const { facts: file, issues } = await readUpload(
              deps.results,
              upload.key,
              upload,
              maxMaterialBytes,
            );
            if (file.sha256 !== input.upload.sha256)
              issues.push({ field: 'body.upload.sha256', message: '文件校验值不符,请重新上传' });
            if (issues.length > 0) throw new ValidationError('上传的结果文件未通过检查', issues);
            document = {
              key: upload.key,
              sha256: file.sha256,
              size: file.size,
              contentType: upload.contentType,
              source: 'uploaded',
            };
          } else {
            const content = approved
              ? approvalDocument(record, facts)
              : denialDocument(record, { ...facts, reasons: decision.reasons });
            document = await stored(key, await deps.renderer.render(content), 'generated');
          }
          registryEntry = deps.registry.entry({
            resultNumber,
            codeHash: verificationCodeHash(resultNumber, verificationCode),
            caseId,
            status: 'valid',
            outcome: decision.outcome,
            resultName: facts.resultName,
            matterName: record.matter.name,
            issuer: facts.issuer,
            decisionDate: facts.decisionDate,
            ...(input.validUntil ? { validUntil: input.validUntil } : {}),
          });
          return {
            ...record,
            phase: 'awaiting-return',
            backOffice: {
              ...(record.backOffice ?? { specialProcedures: [] }),
              result: {
                resultName: facts.resultName,
                resultNumber,
                ...(input.validUntil ? { validUntil: input.validUntil } : {}),
                producedBy: principal.userId,
                producedAt: nowIso(),
                document,
              },
            },
          };
        },
        () => ({ putItems: registryEntry ? [registryEntry] : [] }),
      );
    },

    /**
     * 出件 at the window: pick-up (the collector proves who they are), courier (tracking number) or
     * electronic (the applicant downloads it). A result whose 容缺 material is still missing stays.
     */
    issue: (
      principal: Principal,
      caseId: string,
      input: {
        version: number;
        method: Issuance['method'];
        pickup?:
          | { pickupCode?: string | undefined; idNumber?: string | undefined; collectedBy: string }
          | undefined;
        courier?: { carrier: string; trackingNumber: string } | undefined;
      },
    ) =>
      step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-issuance'], who: 'window', action: `issue-${input.method}`, label: '出件' },
        async (record) => {
          await ctx.assertQualified(principal, record);
          const blockers = issuanceBlockers(record);
          if (blockers.length > 0) {
            throw new ConflictError(
              `容缺材料尚未补齐,不能出件:${blockers.map((b) => b.name).join('、')}`,
              'DEFERRED_MATERIAL_MISSING',
              { materials: blockers },
            );
          }
          const at = nowIso();
          const base: Issuance = { method: input.method, issuedAt: at, issuedBy: principal.userId };
          if (input.method === 'pickup') {
            const proof = input.pickup;
            if (!proof || !pickupIdentityHolds(record, proof)) {
              const field =
                proof?.pickupCode !== undefined ? 'body.pickup.pickupCode' : 'body.pickup.idNumber';
              throw new ValidationError('领取人身份核验未通过', [
                { field, message: '取件码或公民身份号码不正确' },
              ]);
            }
            const issuance: Issuance = {
              ...base,
              pickup: {
                proof: proof.pickupCode !== undefined ? 'pickup-code' : 'id-number',
                collectedBy: proof.collectedBy,
              },
            };
            return deliver(record, issuance, {
              deliveredAt: at,
              recordedBy: principal.userId,
              how: issuanceMethodLabels.pickup,
              signedBy: proof.collectedBy,
            });
          }
          if (input.method === 'courier') {
            if (!input.courier)
              throw new ValidationError('邮寄送达需填写快递信息', [
                { field: 'body.courier', message: '必填' },
              ]);
            return { ...record, phase: 'awaiting-delivery', issuance: { ...base, courier: input.courier } };
          }
          return { ...record, phase: 'awaiting-delivery', issuance: base };
        },
      ),

    /** 送达 by courier: the signed receipt came back; the case closes. */
    confirmDelivery: (principal: Principal, caseId: string, input: { version: number; signedBy: string }) =>
      step(
        principal,
        caseId,
        input.version,
        { from: ['awaiting-delivery'], who: 'window', action: 'confirm-delivery', label: '确认送达' },
        (record) => {
          if (record.issuance?.method !== 'courier')
            throw new ConflictError('电子送达在申请人下载时完成', 'NOT_A_COURIER_DELIVERY');
          return deliver(record, record.issuance, {
            deliveredAt: nowIso(),
            recordedBy: principal.userId,
            how: issuanceMethodLabels.courier,
            signedBy: input.signedBy,
          });
        },
      ),

    /**
     * A short-lived download URL of the result, for the applicant and the staff of the case. The
     * applicant's first download of an electronic issuance is its delivery (送达): the case closes.
     */
    async downloadResult(principal: Principal, caseId: string) {
      const record = await readable(principal, caseId);
      const staff = isWindowClerkOf(principal, record) || isDepartmentStaffOf(principal, record);
      if (!staff && !isOwner(principal, record))
        throw new NotFoundError('办件不存在', 'CASE_NOT_FOUND', { caseId });
      const result = record.backOffice?.result;
      if (!result?.document) throw new NotFoundError('尚无结果文书', 'RESULT_NOT_FOUND', { caseId });
      if (!staff) {
        // The applicant gets the file once it is theirs: issued electronically, or after the case closed.
        const electronic = record.phase === 'awaiting-delivery' && record.issuance?.method === 'electronic';
        if (!electronic && record.phase !== 'closed')
          throw new ConflictError('结果尚未以电子方式送达', 'RESULT_NOT_ISSUED_ELECTRONICALLY');
        if (electronic && record.issuance) {
          const issuance = record.issuance;
          await step(
            principal,
            caseId,
            record.version,
            { from: ['awaiting-delivery'], who: 'owner', action: 'electronic-delivery', label: '电子送达' },
            (current) =>
              deliver(current, issuance, {
                deliveredAt: nowIso(),
                recordedBy: principal.userId,
                how: issuanceMethodLabels.electronic,
              }),
          );
        }
      }
      const url = await deps.results.downloadUrl(
        result.document.key,
        `${result.resultName}-${result.resultNumber}.pdf`,
      );
      return { ...url, sha256: result.document.sha256, size: result.document.size };
    },

    /** Any notice of the case as a PDF from the same renderer, by a short-lived URL. */
    async noticeDocument(principal: Principal, caseId: string, noticeNumber: string) {
      const record = await readable(principal, caseId);
      const notice = record.notices.find((n) => n.number === noticeNumber);
      if (!notice) throw new NotFoundError('文书不存在', 'NOTICE_NOT_FOUND', { noticeNumber });
      const issuer =
        notice.type === 'decision' || notice.type === 'special-procedure' || notice.type === 'extension'
          ? await issuerOf(record)
          : '综合窗口';
      // The centre's overview reads the notice with the applicant's name masked, as it reads the case.
      const personal = maySeePersonalData(principal, record);
      const shown = personal ? notice : maskNotice(notice, record.applicant);
      const bytes = await deps.renderer.render(noticeDocument(shown, issuer));
      const key = `notices/${caseId}/${notice.number}${personal ? '' : '-masked'}.pdf`;
      const document = await stored(key, bytes, 'generated');
      const url = await deps.results.downloadUrl(document.key, `${notice.number}.pdf`);
      return { ...url, sha256: document.sha256, size: document.size };
    },

    /** Public: is this result genuine? The minimum facts, nothing personal. */
    async verify(resultNumber: string, code: string) {
      const entry = await deps.registry.get(resultNumber);
      if (!entry || entry.codeHash !== verificationCodeHash(resultNumber, code))
        return { valid: false as const, status: 'unknown' as const };
      return {
        valid: entry.status === 'valid',
        status: entry.status,
        resultNumber,
        resultName: entry.resultName,
        matterName: entry.matterName,
        issuer: entry.issuer,
        decisionDate: entry.decisionDate,
        ...(entry.validUntil ? { validUntil: entry.validUntil } : {}),
      };
    },

    today,
  };
}

export type IssuanceUseCases = ReturnType<typeof issuanceUseCases>;
