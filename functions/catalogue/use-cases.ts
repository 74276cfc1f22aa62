import { randomUUID } from 'node:crypto';
import { shanghaiDate } from '../domain/calendar-date';
import { mayConfigureCentre, mayEditMattersOf } from '../domain/catalogue/authorization';
import type {
  caseTypes,
  Department,
  ServiceGuideContent,
  Window,
  WindowAssignment,
} from '../domain/catalogue/model';
import { implementerNatureOf, serviceGuideIssues } from '../domain/catalogue/rules';
import { effectiveVersion, type PublishedSnapshot, planPublication } from '../domain/catalogue/versions';
import type { Principal } from '../domain/principal';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../shared/errors';
import { type ObjectStorage, readUpload } from '../shared/object-storage';
import { encodeCursor } from '../shared/pagination';
import {
  AlreadyExists,
  type CatalogueStore,
  type MatterHead,
  type MatterVersion,
  RevisionConflict,
} from './catalogue-store';

/**
 * The catalogue's use cases: each checks who may act, applies the domain rules and calls the store.
 * Errors are the API's (400 naming fields, 403, 404, 409); the handler only maps requests to these.
 */
export interface CatalogueDeps {
  store: CatalogueStore;
  files: ObjectStorage;
  now: () => number;
}

export const maxCatalogueFileBytes = 10 * 1024 * 1024;

const invalid = (issues: FieldIssue[], message = '请求参数有误,请按提示修改后重试') =>
  new ValidationError(message, issues);
const conflict = () => new ConflictError('数据已被他人修改,请刷新后重试', 'REVISION_CONFLICT');
const prefixed = (prefix: string, issues: FieldIssue[]) =>
  issues.map((i) => ({ ...i, field: `${prefix}.${i.field}` }));

export interface MatterSummary {
  code: string;
  name: string;
  departmentId: string;
  type: ServiceGuideContent['type'];
  caseType: ServiceGuideContent['caseType'];
  version: number;
  validFrom: string;
  window?: WindowAssignment;
}

function summary(head: MatterHead, snapshot: PublishedSnapshot): MatterSummary {
  return {
    code: head.code,
    name: snapshot.name,
    departmentId: head.departmentId,
    type: snapshot.type,
    caseType: snapshot.caseType,
    version: snapshot.version,
    validFrom: snapshot.validFrom,
    ...(head.assignment ? { window: head.assignment } : {}),
  };
}

function guideView(head: MatterHead, version: MatterVersion) {
  return {
    code: head.code,
    version: version.version,
    status: version.status,
    ...(version.validFrom ? { validFrom: version.validFrom } : {}),
    ...(version.publishedAt ? { publishedAt: version.publishedAt } : {}),
    departmentId: head.departmentId,
    ...(head.assignment ? { window: head.assignment } : {}),
    implementerNature: implementerNatureOf(head.assignment),
    revision: version.revision,
    ...version.guide,
  };
}

export function catalogueUseCases({ store, files, now }: CatalogueDeps) {
  const audit = (principal: Principal) => ({ at: new Date(now()).toISOString(), by: principal.userId });
  const today = () => shanghaiDate(now());

  const requireHead = async (code: string) => {
    const head = await store.getHead(code);
    if (!head) throw new NotFoundError('事项不存在', 'MATTER_NOT_FOUND', { code });
    return head;
  };
  const requireEditor = (principal: Principal, departmentId: string) => {
    if (!mayEditMattersOf(principal, departmentId)) {
      throw new ForbiddenError('只有本部门的审查人员或首席代表可以编辑本部门事项');
    }
  };
  const requireAdmin = (principal: Principal) => {
    if (!mayConfigureCentre(principal))
      throw new ForbiddenError('只有中心管理员可以配置窗口、部门和事项进驻');
  };
  const withConflicts = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RevisionConflict) throw conflict();
      throw error;
    }
  };
  /** Every file a guide refers to must be one this matter confirmed, unchanged. */
  const fileRefIssues = async (code: string, guide: ServiceGuideContent): Promise<FieldIssue[]> => {
    const refs: { field: string; key: string; sha256: string }[] = [];
    guide.materials.forEach((m, i) => {
      if (m.blankForm) refs.push({ field: `body.guide.materials.${i}.blankForm`, ...m.blankForm });
      if (m.sample) refs.push({ field: `body.guide.materials.${i}.sample`, ...m.sample });
    });
    if (guide.result.sample) refs.push({ field: 'body.guide.result.sample', ...guide.result.sample });
    const issues: FieldIssue[] = [];
    for (const ref of refs) {
      const fileId = ref.key.split('/').pop() ?? '';
      const file = await store.getFile(code, fileId);
      if (!file?.confirmedAt || file.key !== ref.key || file.sha256 !== ref.sha256) {
        issues.push({ field: ref.field, message: '文件未上传确认或已变更,请重新上传' });
      }
    }
    return issues;
  };
  const checkGuide = async (code: string, guide: ServiceGuideContent) => {
    const issues = [
      ...prefixed('body.guide', serviceGuideIssues(guide)),
      ...(await fileRefIssues(code, guide)),
    ];
    if (issues.length > 0) throw invalid(issues, '服务指南内容有误,请按提示修改');
  };

  return {
    async listWindows(limit: number, cursor?: Record<string, unknown>) {
      const page = await store.listWindows(limit, cursor);
      return { items: page.items, nextCursor: encodeCursor(page.lastKey) };
    },

    async getWindow(id: string) {
      const window = await store.getWindow(id);
      if (!window) throw new NotFoundError('窗口不存在', 'WINDOW_NOT_FOUND', { id });
      return window;
    },

    async putWindow(principal: Principal, window: Window, revision: number) {
      requireAdmin(principal);
      const issues: FieldIssue[] = [];
      for (const [i, departmentId] of window.departmentIds.entries()) {
        if (!(await store.getDepartment(departmentId))) {
          issues.push({ field: `body.departmentIds.${i}`, message: `部门 ${departmentId} 不存在` });
        }
      }
      if (issues.length > 0) throw invalid(issues);
      return withConflicts(() => store.putWindow(window, revision, audit(principal)));
    },

    async listDepartments(limit: number, cursor?: Record<string, unknown>) {
      const page = await store.listDepartments(limit, cursor);
      return { items: page.items, nextCursor: encodeCursor(page.lastKey) };
    },

    async getDepartment(id: string) {
      const department = await store.getDepartment(id);
      if (!department) throw new NotFoundError('部门不存在', 'DEPARTMENT_NOT_FOUND', { id });
      return department;
    },

    async putDepartment(principal: Principal, department: Department, revision: number) {
      requireAdmin(principal);
      const previous = await store.getDepartment(department.id);
      try {
        return await withConflicts(() =>
          store.putDepartment(department, revision, previous?.creditCode, audit(principal)),
        );
      } catch (error) {
        if (error instanceof AlreadyExists) {
          throw invalid([{ field: 'body.creditCode', message: '该统一社会信用代码已被其他部门使用' }]);
        }
        throw error;
      }
    },

    /** 公告: the matters a department entrusts to a window, and from which date; it no longer accepts them. */
    async announcement(departmentId: string, limit: number, cursor?: Record<string, unknown>) {
      const department = await this.getDepartment(departmentId);
      const page = await store.listMatterHeads({ kind: 'department', departmentId }, limit, cursor);
      const date = today();
      const items = page.items.flatMap((head) => {
        const snapshot = effectiveVersion(head, date);
        if (!snapshot || head.assignment?.staffingMode !== 'entrusted') return [];
        return [
          {
            code: head.code,
            name: snapshot.name,
            windowId: head.assignment.windowId,
            since: head.assignment.since,
          },
        ];
      });
      return {
        department: { id: department.id, name: department.name },
        items,
        nextCursor: encodeCursor(page.lastKey),
      };
    },

    /** Every matter of a department, drafts included: its staff's work list. */
    async departmentMatters(
      principal: Principal,
      departmentId: string,
      limit: number,
      cursor?: Record<string, unknown>,
    ) {
      requireEditor(principal, departmentId);
      const page = await store.listMatterHeads({ kind: 'department', departmentId }, limit, cursor);
      const date = today();
      const items = await Promise.all(
        page.items.map(async (head) => {
          const inEffect = effectiveVersion(head, date);
          const scheduled = head.scheduled && head.scheduled !== inEffect ? head.scheduled : undefined;
          const name =
            inEffect?.name ??
            (head.draft && (await store.getVersion(head.code, head.draft.version))?.guide.name);
          return {
            code: head.code,
            name: name ?? head.code,
            ...(inEffect ? { inEffect: { version: inEffect.version, validFrom: inEffect.validFrom } } : {}),
            ...(scheduled
              ? { scheduled: { version: scheduled.version, validFrom: scheduled.validFrom } }
              : {}),
            ...(head.draft ? { draft: head.draft } : {}),
            ...(head.assignment ? { window: head.assignment } : {}),
          };
        }),
      );
      return { items, nextCursor: encodeCursor(page.lastKey) };
    },

    async listMatters(filter: {
      window?: string;
      department?: string;
      caseType?: (typeof caseTypes)[number];
      q?: string;
      limit: number;
      cursor?: Record<string, unknown>;
    }) {
      const scope = filter.window
        ? ({ kind: 'window', windowId: filter.window } as const)
        : filter.department
          ? ({ kind: 'department', departmentId: filter.department } as const)
          : ({ kind: 'all' } as const);
      const page = await store.listMatterHeads(scope, filter.limit, filter.cursor);
      const date = today();
      const needle = filter.q?.trim();
      const items = page.items.flatMap((head) => {
        const snapshot = effectiveVersion(head, date);
        if (!snapshot) return [];
        if (filter.department && head.departmentId !== filter.department) return [];
        if (filter.caseType && snapshot.caseType !== filter.caseType) return [];
        if (needle && !snapshot.name.includes(needle)) return [];
        return [summary(head, snapshot)];
      });
      return { items, nextCursor: encodeCursor(page.lastKey) };
    },

    /** The service guide in effect, or a given version: published ones for everyone, drafts for editors. */
    async serviceGuide(code: string, version: number | undefined, principal: Principal | undefined) {
      const head = await requireHead(code);
      const number = version ?? effectiveVersion(head, today())?.version;
      const found = number === undefined ? undefined : await store.getVersion(code, number);
      const visible =
        found &&
        (found.status === 'published' ||
          (principal !== undefined && mayEditMattersOf(principal, head.departmentId)));
      if (!found || !visible) {
        throw new NotFoundError(
          version === undefined ? '该事项尚未发布服务指南' : '该版本不存在',
          'VERSION_NOT_FOUND',
          { code, version },
        );
      }
      return guideView(head, found);
    },

    async createMatter(principal: Principal, code: string, departmentId: string, guide: ServiceGuideContent) {
      requireEditor(principal, departmentId);
      if (!(await store.getDepartment(departmentId))) {
        throw invalid([{ field: 'body.departmentId', message: `部门 ${departmentId} 不存在` }]);
      }
      await checkGuide(code, guide);
      try {
        const { head, version } = await store.createMatter(code, departmentId, guide, audit(principal));
        return guideView(head, version);
      } catch (error) {
        if (error instanceof AlreadyExists) {
          throw invalid([{ field: 'body.code', message: `事项编码 ${code} 已存在` }]);
        }
        throw error;
      }
    },

    async getDraft(principal: Principal, code: string) {
      const head = await requireHead(code);
      requireEditor(principal, head.departmentId);
      const draft = head.draft && (await store.getVersion(code, head.draft.version));
      if (!draft) throw new NotFoundError('该事项没有草稿', 'DRAFT_NOT_FOUND', { code });
      return guideView(head, draft);
    },

    async saveDraft(principal: Principal, code: string, guide: ServiceGuideContent, revision: number) {
      const head = await requireHead(code);
      requireEditor(principal, head.departmentId);
      await checkGuide(code, guide);
      const saved = await withConflicts(() => store.saveDraft(head, guide, revision, audit(principal)));
      return guideView(saved.head, saved.version);
    },

    async publishDraft(principal: Principal, code: string, revision: number, validFrom: string) {
      const head = await requireHead(code);
      requireEditor(principal, head.departmentId);
      const draft = head.draft && (await store.getVersion(code, head.draft.version));
      if (!draft) throw new ConflictError('该事项没有待发布的草稿', 'NO_DRAFT', { code });
      if (draft.revision !== revision) throw conflict();
      const at = audit(principal);
      const snapshot: PublishedSnapshot = {
        version: draft.version,
        name: draft.guide.name,
        caseType: draft.guide.caseType,
        type: draft.guide.type,
        validFrom,
        publishedAt: at.at,
      };
      const plan = planPublication(head, snapshot, today());
      if (!plan.ok) throw invalid(prefixed('body', plan.issues));
      const published = await withConflicts(() =>
        store.publishDraft(head, draft, revision, plan.pointers, snapshot, at),
      );
      return guideView(published.head, published.version);
    },

    async assignMatter(principal: Principal, code: string, assignment: WindowAssignment) {
      requireAdmin(principal);
      const head = await requireHead(code);
      const window = await store.getWindow(assignment.windowId);
      if (!window) throw invalid([{ field: 'body.windowId', message: `窗口 ${assignment.windowId} 不存在` }]);
      if (!window.departmentIds.includes(head.departmentId)) {
        throw invalid([
          { field: 'body.windowId', message: `${window.name}不受理部门 ${head.departmentId} 的事项` },
        ]);
      }
      const next = await withConflicts(() => store.assignMatter(head, assignment));
      return { code, window: next.assignment, implementerNature: implementerNatureOf(next.assignment) };
    },

    async requestFileUpload(
      principal: Principal,
      code: string,
      upload: { fileName: string; contentType: 'application/pdf' | 'image/jpeg' | 'image/png'; size: number },
    ) {
      const head = await requireHead(code);
      requireEditor(principal, head.departmentId);
      const fileId = randomUUID();
      const key = `matters/${code}/${fileId}`;
      await store.putFile({
        fileId,
        code,
        key,
        fileName: upload.fileName,
        contentType: upload.contentType,
        size: upload.size,
      });
      return { fileId, key, upload: await files.uploadUrl(key, upload.contentType, upload.size) };
    },

    /** Counts an upload only after reading it: real size, type by its first bytes, sha256. */
    async confirmFile(principal: Principal, code: string, fileId: string) {
      const head = await requireHead(code);
      requireEditor(principal, head.departmentId);
      const file = await store.getFile(code, fileId);
      if (!file) throw new NotFoundError('文件不存在', 'FILE_NOT_FOUND', { fileId });
      const { facts, issues } = await readUpload(files, file.key, file, maxCatalogueFileBytes);
      if (issues.length > 0) throw invalid(issues, '上传的文件未通过检查');
      const confirmed = { ...file, sha256: facts.sha256, confirmedAt: audit(principal).at };
      await store.putFile(confirmed);
      return {
        fileId,
        ref: {
          key: file.key,
          fileName: file.fileName,
          contentType: file.contentType,
          sha256: facts.sha256,
          size: facts.size,
        },
      };
    },

    async fileDownload(code: string, fileId: string) {
      const file = await store.getFile(code, fileId);
      if (!file?.confirmedAt) throw new NotFoundError('文件不存在', 'FILE_NOT_FOUND', { fileId });
      return files.downloadUrl(file.key, file.fileName);
    },
  };
}

export type CatalogueUseCases = ReturnType<typeof catalogueUseCases>;
