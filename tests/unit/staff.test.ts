import { describe, expect, it } from 'vitest';
import {
  profileIssues,
  type Qualification,
  qualificationState,
  qualificationVerdict,
} from '../../functions/domain/staff/staff';

const today = '2026-12-02';
const passed = (overrides: Partial<Qualification> = {}): Qualification => ({
  departmentId: 'emergency',
  assessedOn: '2026-06-01',
  assessor: '应急局业务科',
  result: 'passed',
  validUntil: '2027-06-01',
  recordedAt: '2026-06-01T02:00:00.000Z',
  recordedBy: 'chief-emergency',
  ...overrides,
});
const need = {
  departmentId: 'emergency',
  departmentName: '区应急管理局',
  matterCode: 'YJ-0001',
  matterName: '烟花爆竹经营(零售)许可',
};

describe('qualification state', () => {
  it('is valid, expiring within 30 days (the end date counted), expired after the end date', () => {
    expect(qualificationState(passed(), today)).toBe('valid');
    expect(qualificationState(passed({ validUntil: '2027-01-01' }), today)).toBe('expiring');
    expect(qualificationState(passed({ validUntil: '2027-01-02' }), today)).toBe('valid');
    expect(qualificationState(passed({ validUntil: today }), today)).toBe('expiring');
    expect(qualificationState(passed({ validUntil: '2026-12-01' }), today)).toBe('expired');
  });

  it('is revoked or failed whatever its dates', () => {
    expect(qualificationState(passed({ revoked: { at: 'x', by: 'admin', reason: '违规' } }), today)).toBe(
      'revoked',
    );
    expect(qualificationState(passed({ result: 'failed' }), today)).toBe('failed');
  });
});

describe('whether a clerk may take up a matter', () => {
  it('says which qualification is missing, in the words the clerk is shown', () => {
    expect(qualificationVerdict([], need, today)).toEqual({
      qualified: false,
      reason: '未取得区应急管理局的上岗资格(须经该部门业务考核)',
    });
    expect(qualificationVerdict([passed({ departmentId: 'finance' })], need, today).qualified).toBe(false);
    expect(qualificationVerdict([passed({ validUntil: '2026-11-30' })], need, today)).toEqual({
      qualified: false,
      reason: '区应急管理局的上岗资格已于2026-11-30到期',
    });
    expect(qualificationVerdict([passed({ matterCodes: ['YJ-0002'] })], need, today)).toEqual({
      qualified: false,
      reason: '上岗资格不含事项"烟花爆竹经营(零售)许可"(YJ-0001)',
    });
    expect(qualificationVerdict([passed({ result: 'failed' })], need, today)).toMatchObject({
      qualified: false,
    });
  });

  it('admits a clerk qualified for the department, or for the matter by name, until the end date', () => {
    expect(qualificationVerdict([passed()], need, today)).toEqual({ qualified: true });
    expect(qualificationVerdict([passed({ matterCodes: ['YJ-0001'] })], need, today)).toEqual({
      qualified: true,
    });
    expect(qualificationVerdict([passed({ validUntil: today })], need, today)).toEqual({ qualified: true });
  });
});

describe('the scope a profile needs', () => {
  it('gives a clerk a window and department staff a department, and nothing else', () => {
    expect(profileIssues({ name: '甲', role: 'clerk', windowId: 'window-1', active: true })).toEqual([]);
    expect(profileIssues({ name: '甲', role: 'chief', departmentId: 'water', active: true })).toEqual([]);
    expect(profileIssues({ name: '甲', role: 'admin', active: true })).toEqual([]);
    expect(profileIssues({ name: '甲', role: 'clerk', active: true }).map((i) => i.field)).toEqual([
      'body.windowId',
    ]);
    expect(
      profileIssues({ name: '甲', role: 'reviewer', windowId: 'window-1', active: true }).map((i) => i.field),
    ).toEqual(['body.departmentId', 'body.windowId']);
    expect(
      profileIssues({ name: '甲', role: 'admin', departmentId: 'water', active: true }).map((i) => i.field),
    ).toEqual(['body.departmentId']);
  });
});
