import { createHash, randomUUID } from 'node:crypto';
import type { AlertItem, CaseStore } from '../cases/case-store';
import { type CatalogueStore, type MatterHead, RevisionConflict } from '../catalogue/catalogue-store';
import type { workingHoursClock } from '../domain/calendar/working-hours';
import { shanghaiDate, shanghaiTime } from '../domain/calendar-date';
import { type MaterialContentType, maxMaterialBytes } from '../domain/cases/model';
import {
  chainEvent,
  changesBetween,
  genesisHash,
  stepChannel,
  type TrailActor,
  trailActor,
} from '../domain/cases/trail';
import { effectiveVersion } from '../domain/catalogue/versions';
import {
  answer,
  assign,
  attach,
  type Consultation,
  ConsultationRuleError,
  canSee,
  close,
  consultationAlertAgenda,
  consultationNumber,
  defaultConsultationHours,
  dueAfter,
  faqOf,
  followUp,
  forward,
  withNextAlert,
} from '../domain/consultations/consultation';
import { hasRole, type Principal } from '../domain/principal';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { type ObjectStorage, readUpload } from '../shared/object-storage';
import { encodeCursor } from '../shared/pagination';
import {
  ConsultationConflict,
  type ConsultationScope,
  type ConsultationStore,
  type StoredConsultation,
} from './consultation-store';

export interface ConsultationDeps {
  consultations: ConsultationStore;
  catalogue: Pick<CatalogueStore, 'getHead' | 'getVersion' | 'getDepartment' | 'saveDraft'>;
  cases: Pick<CaseStore, 'getCaseHead'>;
  /** The office-hours clock of the current calendar (it changes when a holiday schedule is loaded). */
  hoursClock: () => Promise<Pick<ReturnType<typeof workingHoursClock>, 'addWorkingHours'>>;
  /** The materials bucket: attachments are checked there as a case's materials are (not the timer's). */
  files?: ObjectStorage;
  now: () => number;
  newId?: () => string;
}

const notFound = (id: string) =>
  new NotFoundError('咨询件不存在', 'CONSULTATION_NOT_FOUND', { consultationId: id });
const stale = () => new ConflictError('咨询件已被他人处理,请刷新后重试', 'VERSION_CONFLICT');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const systemActor: TrailActor = { userId: 'consultation-timer', role: 'system' };

/**
 * What the trail keeps of a consultation: states, addressee, assignee, due times and the messages' kinds
 * and hashes, never their text (a question may name a person; the text is on the consultation, which
 * only its parties read).
 */
function trailFacts(c: Consultation | undefined): Record<string, unknown> {
  if (!c) return {};
  const {
    messages,
    attachments,
    nextAlertAt: _n,
    version: _v,
    trailHead: _t,
    ...rest
  } = c as StoredConsultation;
  return {
    ...rest,
    messages: messages.map((m) => ({
      kind: m.kind,
      by: m.by,
      role: m.role,
      at: m.at,
      sha256: sha256(m.text),
    })),
    // A file's name may name a person: the trail keeps what identifies the file, not what it is called.
    attachments: attachments.map((a) => ({
      attachmentId: a.attachmentId,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      by: a.by,
      at: a.at,
    })),
  };
}

const ruleError = (error: unknown): never => {
  if (error instanceof ConsultationRuleError)
    throw error.kind === 'forbidden'
      ? new ForbiddenError(error.message)
      : new ConflictError(error.message, 'CONSULTATION_STATE');
  throw error;
};

/** The consultation as its parties see it. */
export const consultationView = (c: StoredConsultation) => {
  const { trailHead: _t, raisedAlertIds: _r, nextAlertAt: _n, attachments, ...view } = c;
  return {
    ...view,
    attachments: attachments.map(({ key: _k, versionId: _v, ...attachment }) => attachment),
  };
};

export function consultationUseCases(deps: ConsultationDeps) {
  const nowIso = () => new Date(deps.now()).toISOString();
  const newId = deps.newId ?? randomUUID;
  const files = () => {
    if (!deps.files) throw new Error('consultation attachments need the materials bucket');
    return deps.files;
  };

  const requireVisible = async (principal: Principal, id: string) => {
    const c = await deps.consultations.get(id);
    // Not shown to whoever may not see it: the same 404 as a consultation that does not exist.
    if (!c || !canSee(principal, c)) throw notFound(id);
    return c;
  };

  const alertItem = (
    c: Consultation,
    p: ReturnType<typeof consultationAlertAgenda>['raise'][number],
    at: string,
  ) =>
    ({
      alertId: p.alertId,
      ...(c.caseId ? { caseId: c.caseId } : {}),
      consultationId: c.consultationId,
      matterCode: c.matterCode,
      matterName: c.matterName,
      windowId: c.windowId,
      departmentId: c.departmentId,
      kind: p.kind,
      level: p.level,
      audience: p.audience,
      dueDate: shanghaiDate(Date.parse(c.dueAt)),
      raisedAt: at,
      status: 'active',
      // Read by people at the centre: the due time as the clock on their wall shows it.
      detail: `咨询件 ${c.number},答复时限 ${shanghaiDate(Date.parse(c.dueAt))} ${shanghaiTime(Date.parse(c.dueAt))}`,
    }) satisfies AlertItem;

  /** Writes `after` (its timer position recomputed) with its trail event; resolves what it no longer plans. */
  const save = async (
    before: StoredConsultation | undefined,
    next: Consultation,
    actor: TrailActor,
    action: string,
    consumeUpload?: string,
  ): Promise<StoredConsultation> => {
    const clock = await deps.hoursClock();
    const at = nowIso();
    const agenda = consultationAlertAgenda(next, clock, deps.now());
    const raise = actor === systemActor ? agenda.raise : [];
    const raisedAlertIds = [
      ...next.raisedAlertIds.filter((id) => !agenda.resolve.includes(id)),
      ...raise.map((p) => p.alertId),
    ];
    const timed = withNextAlert({ ...next, raisedAlertIds }, clock);
    const seq = (before?.trailHead.seq ?? 0) + 1;
    const event = chainEvent(
      {
        seq,
        at,
        actor,
        channel: stepChannel(actor, next),
        action,
        changes: changesBetween(trailFacts(before), trailFacts(timed)),
      },
      before?.trailHead.hash ?? genesisHash,
    );
    const after: StoredConsultation = {
      ...timed,
      version: (before?.version ?? 0) + 1,
      trailHead: { seq, hash: event.hash },
    };
    try {
      await deps.consultations.write({
        ...(before ? { before } : {}),
        after,
        event,
        raiseAlerts: raise.map((p) => alertItem(timed, p, at)),
        resolveAlerts: agenda.resolve,
        ...(consumeUpload ? { consumeUpload } : {}),
      });
    } catch (error) {
      if (error instanceof ConsultationConflict) throw stale();
      throw error;
    }
    return after;
  };

  const change = async (
    principal: Principal,
    id: string,
    version: number,
    action: string,
    step: (c: StoredConsultation, clock: Awaited<ReturnType<ConsultationDeps['hoursClock']>>) => Consultation,
    options: { consumeUpload?: string } = {},
  ) => {
    const c = await requireVisible(principal, id);
    if (c.version !== version) throw stale();
    let next: Consultation;
    try {
      next = step(c, await deps.hoursClock());
    } catch (error) {
      return ruleError(error);
    }
    return consultationView(await save(c, next, trailActor(principal), action, options.consumeUpload));
  };

  const matterOf = async (code: string) => {
    const head = await deps.catalogue.getHead(code);
    const published = head && effectiveVersion(head, shanghaiDate(deps.now()));
    if (!head || !published || !head.assignment) return undefined;
    return { head, name: published.name, windowId: head.assignment.windowId };
  };

  return {
    /**
     * A clerk asks the department about a matter or a case of the window; an applicant asks the window
     * about a matter (the portal's question). Due after the department's limit in office hours.
     */
    async raise(principal: Principal, input: { matterCode?: string; caseId?: string; question: string }) {
      const isClerk = hasRole(principal, 'clerk');
      const isApplicant = hasRole(principal, 'applicant');
      if (!isClerk && !isApplicant) throw new ForbiddenError('只有窗口工作人员或申请人可以提出咨询');
      let matterCode = input.matterCode;
      let caseId: string | undefined;
      if (input.caseId) {
        const record = await deps.cases.getCaseHead(input.caseId);
        const mayAsk =
          record &&
          ((isClerk && record.matter.windowId === principal.windowId) ||
            (isApplicant && record.ownerId === principal.userId));
        if (!record || !mayAsk)
          throw new NotFoundError('办件不存在', 'CASE_NOT_FOUND', { caseId: input.caseId });
        if (matterCode && matterCode !== record.matter.code)
          throw new ValidationError('咨询信息有误', [
            { field: 'body.matterCode', message: '与办件的事项不一致' },
          ]);
        matterCode = record.matter.code;
        caseId = record.caseId;
      }
      if (!matterCode)
        throw new ValidationError('咨询信息有误', [
          { field: 'body.matterCode', message: '请指明所咨询的事项或办件' },
        ]);
      const matter = await matterOf(matterCode);
      if (!matter)
        throw new ValidationError('咨询信息有误', [
          { field: 'body.matterCode', message: `事项 ${matterCode} 未发布或未进驻窗口` },
        ]);
      if (isClerk && !isApplicant && principal.windowId !== matter.windowId)
        throw new ForbiddenError('只能就本窗口受理的事项提出咨询');
      const department = await deps.catalogue.getDepartment(matter.head.departmentId);
      const limitHours = department?.consultationHours ?? defaultConsultationHours;
      const at = nowIso();
      const consultationId = newId();
      const asClerk = isClerk && !isApplicant;
      const clock = await deps.hoursClock();
      const created: Consultation = {
        consultationId,
        number: consultationNumber(consultationId, deps.now()),
        matterCode,
        matterName: matter.name,
        ...(caseId ? { caseId } : {}),
        departmentId: matter.head.departmentId,
        windowId: matter.windowId,
        askedBy: { userId: principal.userId, role: asClerk ? 'clerk' : 'applicant' },
        channel: asClerk ? 'counter' : 'online',
        addressee: asClerk ? 'department' : 'window',
        status: 'open',
        limitHours,
        round: 1,
        roundStartedAt: at,
        dueAt: dueAfter(clock, at, limitHours),
        raisedAt: at,
        attachments: [],
        messages: [
          {
            kind: 'question',
            text: input.question,
            by: principal.userId,
            role: asClerk ? 'clerk' : 'applicant',
            at,
          },
        ],
        raisedAlertIds: [],
        version: 0,
      };
      return consultationView(await save(undefined, created, trailActor(principal), 'raise'));
    },

    async get(principal: Principal, id: string) {
      return consultationView(await requireVisible(principal, id));
    },

    async list(
      principal: Principal,
      query: {
        scope: 'mine' | 'window' | 'department';
        id?: string | undefined;
        limit: number;
        cursor?: Record<string, unknown> | undefined;
      },
    ) {
      const admin = hasRole(principal, 'admin');
      let scope: ConsultationScope;
      if (query.scope === 'mine') scope = { kind: 'asker', userId: principal.userId };
      else if (query.scope === 'window') {
        const windowId = query.id ?? principal.windowId;
        if (!windowId || !(admin || (hasRole(principal, 'clerk') && principal.windowId === windowId)))
          throw new ForbiddenError('只能查看本窗口的咨询件');
        scope = { kind: 'window', windowId };
      } else {
        const departmentId = query.id ?? principal.departmentId;
        const staff = hasRole(principal, 'reviewer') || hasRole(principal, 'chief');
        if (!departmentId || !(admin || (staff && principal.departmentId === departmentId)))
          throw new ForbiddenError('只能查看本部门的咨询件');
        scope = { kind: 'department', departmentId };
      }
      const page = await deps.consultations.list(scope, query.limit, query.cursor);
      return { items: page.items.map(consultationView), nextCursor: encodeCursor(page.lastKey) };
    },

    answer: (principal: Principal, id: string, version: number, text: string) =>
      change(principal, id, version, 'answer', (c) => answer(c, principal, text, nowIso())),

    forward: (principal: Principal, id: string, version: number, note: string | undefined) =>
      change(principal, id, version, 'forward', (c, clock) => forward(c, principal, note, nowIso(), clock)),

    close: (principal: Principal, id: string, version: number) =>
      change(principal, id, version, 'close', (c) => close(c, principal, nowIso())),

    followUp: (principal: Principal, id: string, version: number, text: string) =>
      change(principal, id, version, 'follow-up', (c, clock) =>
        followUp(c, principal, text, nowIso(), clock),
      ),

    /** A short-lived upload URL for an attachment; the file counts only once attached (checked). */
    async requestAttachmentUpload(
      principal: Principal,
      id: string,
      upload: { fileName: string; contentType: MaterialContentType; size: number },
    ) {
      const c = await requireVisible(principal, id);
      try {
        // The same rule as attaching, checked before a URL is handed out.
        attach(c, principal, { attachmentId: '-', key: '-', sha256: '-', ...upload }, nowIso());
      } catch (error) {
        return ruleError(error);
      }
      const uploadId = newId();
      const key = `uploads/consultations/${id}/${uploadId}`;
      await deps.consultations.putUpload(id, { uploadId, key, ...upload, requestedBy: principal.userId });
      return { uploadId, upload: await files().uploadUrl(key, upload.contentType, upload.size) };
    },

    /**
     * Attaches an upload as a case's material is confirmed: copied to a key no upload URL points to, then
     * read there (real size, type by magic bytes, sha256 matching the client's).
     */
    async attach(
      principal: Principal,
      id: string,
      input: { version: number; uploadId: string; sha256: string },
    ) {
      const c = await requireVisible(principal, id);
      if (c.version !== input.version) throw stale();
      const upload = await deps.consultations.getUpload(id, input.uploadId);
      if (!upload || upload.requestedBy !== principal.userId)
        throw new NotFoundError('上传记录不存在', 'UPLOAD_NOT_FOUND', { uploadId: input.uploadId });
      const key = `consultations/${id}/${upload.uploadId}`;
      let pinned: { versionId?: string };
      try {
        pinned = await files().pin(upload.key, key);
      } catch (error) {
        if ((error as Error).name === 'ObjectMissing')
          throw new ConflictError('文件尚未上传', 'FILE_NOT_UPLOADED', { uploadId: upload.uploadId });
        throw error;
      }
      const { facts, issues } = await readUpload(files(), key, upload, maxMaterialBytes, pinned.versionId);
      if (facts.sha256 !== input.sha256)
        issues.push({ field: 'body.sha256', message: '文件校验值不符,请重新上传' });
      if (issues.length > 0) throw new ValidationError('上传的附件未通过检查', issues);
      return change(
        principal,
        id,
        input.version,
        'attach',
        (current) =>
          attach(
            current,
            principal,
            {
              attachmentId: upload.uploadId,
              fileName: upload.fileName,
              contentType: upload.contentType,
              size: facts.size,
              sha256: facts.sha256,
              key,
              ...pinned,
            },
            nowIso(),
          ),
        { consumeUpload: upload.uploadId },
      );
    },

    /** A short-lived download URL of an attachment exactly as it was checked. */
    async attachmentDownload(principal: Principal, id: string, attachmentId: string) {
      const c = await requireVisible(principal, id);
      const attachment = c.attachments.find((a) => a.attachmentId === attachmentId);
      if (!attachment) throw new NotFoundError('附件不存在', 'ATTACHMENT_NOT_FOUND', { attachmentId });
      return files().downloadUrl(attachment.key, attachment.fileName, 300, attachment.versionId);
    },

    /** Reassignment within the department: the assignee must be one of its reviewers or its chief. */
    async assign(
      principal: Principal,
      id: string,
      version: number,
      assigneeId: string,
      assigneeIsStaff: (departmentId: string) => Promise<boolean>,
    ) {
      const c = await requireVisible(principal, id);
      if (!(await assigneeIsStaff(c.departmentId)))
        throw new ValidationError('改派对象有误', [
          { field: 'body.assigneeId', message: '不是该部门在岗的审查人员或首席代表' },
        ]);
      return change(principal, id, version, 'assign', (current) => assign(current, principal, assigneeId));
    },

    /**
     * The answer as a FAQ (常见问题) of the matter's next guide: appended to its open draft, or to a new draft
     * opened from the guide in effect. The department's staff (or the admin) decide; publishing stays theirs.
     */
    async toFaq(principal: Principal, id: string) {
      const c = await requireVisible(principal, id);
      const editor =
        hasRole(principal, 'admin') ||
        ((hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) &&
          principal.departmentId === c.departmentId);
      if (!editor) throw new ForbiddenError('只有属事单位人员可以把答复转为常见问题');
      let faq: { question: string; answer: string };
      try {
        faq = faqOf(c);
      } catch (error) {
        return ruleError(error);
      }
      const head = (await deps.catalogue.getHead(c.matterCode)) as MatterHead;
      const base = head.draft?.version ?? effectiveVersion(head, shanghaiDate(deps.now()))?.version;
      const version = base === undefined ? undefined : await deps.catalogue.getVersion(c.matterCode, base);
      if (!version) throw new ConflictError('事项没有可修改的办事指南', 'NO_GUIDE');
      if (version.guide.faqs.some((f) => f.question === faq.question && f.answer === faq.answer))
        return {
          matterCode: c.matterCode,
          draftVersion: version.version,
          faqs: version.guide.faqs.length,
          added: false,
        };
      if (version.guide.faqs.length >= 50)
        throw new ConflictError('办事指南的常见问题已达 50 条', 'TOO_MANY_FAQS');
      const saved = await deps.catalogue
        .saveDraft(
          head,
          { ...version.guide, faqs: [...version.guide.faqs, faq] },
          head.draft?.revision ?? 0,
          {
            at: nowIso(),
            by: principal.userId,
          },
        )
        .catch((error: unknown) => {
          // Someone saved the draft since it was read: nothing was written.
          if (error instanceof RevisionConflict)
            throw new ConflictError('事项的办事指南草稿刚被他人修改,请重试', 'REVISION_CONFLICT');
          throw error;
        });
      return {
        matterCode: c.matterCode,
        draftVersion: saved.version.version,
        faqs: saved.version.guide.faqs.length,
        added: true,
      };
    },

    async trail(principal: Principal, id: string) {
      const c = await requireVisible(principal, id);
      const office =
        hasRole(principal, 'admin') ||
        (hasRole(principal, 'clerk') && principal.windowId === c.windowId) ||
        ((hasRole(principal, 'reviewer') || hasRole(principal, 'chief')) &&
          principal.departmentId === c.departmentId);
      // The applicant reads the consultation itself, not who in the office handled it when.
      if (!office) throw new ForbiddenError('只有窗口、属事单位和中心管理员可以查看咨询件的留痕');
      return { items: await deps.consultations.trail(id) };
    },

    /**
     * The timer (every few minutes): raises the alerts that fell due on open consultations and plans the
     * next. A consultation that moved on meanwhile is skipped (the next run sees it as it is).
     */
    async raiseDueAlerts(): Promise<{ examined: number; raised: number; skipped: number }> {
      const due = await deps.consultations.alertsDueBefore(nowIso());
      let raised = 0;
      let skipped = 0;
      for (const c of due) {
        const clock = await deps.hoursClock();
        const agenda = consultationAlertAgenda(c, clock, deps.now());
        try {
          await save(c, c, systemActor, 'alert');
          raised += agenda.raise.length;
        } catch (error) {
          if (error instanceof ConflictError) skipped++;
          else throw error;
        }
      }
      return { examined: due.length, raised, skipped };
    },
  };
}
