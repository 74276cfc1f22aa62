import { describe, expect, it } from 'vitest';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import {
  departmentSchema,
  matterCode,
  serviceGuideContent,
  windowAssignment,
  windowSchema,
} from '../../functions/domain/catalogue/model';
import { serviceGuideIssues } from '../../functions/domain/catalogue/rules';
import { isValidCreditCode } from '../../functions/domain/credit-code';

const departmentIds = [
  'education',
  'civil-affairs',
  'agriculture',
  'water',
  'emergency',
  'culture-tourism',
  'finance',
];

const parsed = taoshanSeed.matters.map((matter) => ({
  code: matter.code,
  result: serviceGuideContent.safeParse(matter.guide),
}));
const guides = parsed.flatMap(({ code, result }) => (result.success ? [{ code, guide: result.data }] : []));

describe('taoshanSeed', () => {
  it('says it is illustrative, not the real catalogue', () => {
    expect(taoshanSeed.illustrative).toBe(true);
    expect(taoshanSeed.note).toContain('示例数据');
    expect(taoshanSeed.note).toContain('虚构');
  });

  it('is run by the business environment bureau', () => {
    expect(departmentSchema.parse(taoshanSeed.centre)).toMatchObject({
      id: 'business-environment',
      name: '区营商环境局',
    });
  });

  it('has the three comprehensive windows of the plan', () => {
    const windows = taoshanSeed.windows.map((window) => windowSchema.parse(window));
    expect(windows.map((window) => [window.id, window.departmentIds])).toEqual([
      ['window-1', ['education']],
      ['window-2', ['civil-affairs', 'agriculture', 'water']],
      ['window-3', ['emergency', 'culture-tourism', 'finance']],
    ]);
  });

  it('has the seven departments, each behind exactly one window', () => {
    const departments = taoshanSeed.departments.map((department) => departmentSchema.parse(department));
    expect(departments.map((department) => department.id).sort()).toEqual([...departmentIds].sort());
    const listed = taoshanSeed.windows.flatMap((window) => window.departmentIds).sort();
    expect(listed).toEqual([...departmentIds].sort());
  });

  it('gives every department and the centre a valid, distinct unified social credit code', () => {
    const codes = [taoshanSeed.centre, ...taoshanSeed.departments].map((d) => d.creditCode);
    for (const code of codes) expect(isValidCreditCode(code), code).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has service guides that parse and break no service-guide rule', () => {
    for (const { code, result } of parsed) expect(result.error?.issues, code).toBeUndefined();
    expect(guides).toHaveLength(taoshanSeed.matters.length);
    for (const { code, guide } of guides) {
      expect(serviceGuideIssues(guide), code).toEqual([]);
    }
  });

  it('has unique matter codes in the matter-code format', () => {
    const codes = taoshanSeed.matters.map((matter) => matter.code);
    for (const code of codes) expect(matterCode.safeParse(code).success, code).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has at least one matter for every department', () => {
    for (const departmentId of departmentIds) {
      expect(
        taoshanSeed.matters.filter((matter) => matter.departmentId === departmentId).length,
        departmentId,
      ).toBeGreaterThanOrEqual(1);
    }
  });

  it('assigns every matter to the window of its department, dispatched exactly at window 1', () => {
    for (const matter of taoshanSeed.matters) {
      const assignment = windowAssignment.parse(matter.assignment);
      const window = taoshanSeed.windows.find((candidate) => candidate.id === assignment.windowId);
      expect(window?.departmentIds, matter.code).toContain(matter.departmentId);
      expect(assignment.staffingMode === 'dispatched', matter.code).toBe(assignment.windowId === 'window-1');
    }
  });

  it('puts only civil-affairs, agriculture and water matters at window 2', () => {
    const atWindow2 = taoshanSeed.matters.filter((matter) => matter.assignment.windowId === 'window-2');
    expect(atWindow2.length).toBeGreaterThan(0);
    for (const matter of atWindow2) {
      expect(['civil-affairs', 'agriculture', 'water'], matter.code).toContain(matter.departmentId);
    }
  });

  it('has at least four instant matters and three deferrable materials', () => {
    expect(guides.filter(({ guide }) => guide.caseType === 'instant').length).toBeGreaterThanOrEqual(4);
    const deferrable = guides.flatMap(({ guide }) =>
      guide.materials.filter((material) => material.deferrable),
    );
    expect(deferrable.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['义务教育阶段入学登记', 'education'],
    ['教师资格认定', 'education'],
    ['民办学校设立', 'education'],
    ['烟花爆竹经营', 'emergency'],
    ['取水许可', 'water'],
    ['社会团体成立登记', 'civil-affairs'],
  ])('includes the matter %s of %s', (name, departmentId) => {
    const matter = taoshanSeed.matters.find((candidate) => candidate.guide.name.includes(name));
    expect(matter?.departmentId).toBe(departmentId);
  });

  it('includes a school change matter of the education bureau', () => {
    const matter = taoshanSeed.matters.find(
      (candidate) => candidate.guide.name.includes('学校') && candidate.guide.name.includes('变更'),
    );
    expect(matter?.departmentId).toBe('education');
  });
});
