import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crockfordRandom } from '../../functions/domain/case-number';
import type { CaseRecord } from '../../functions/domain/cases/model';
import { approvalDocument, denialDocument, noticeDocument } from '../../functions/domain/results/documents';
import {
  issuanceBlockers,
  pickupIdentityHolds,
  verificationCodeHash,
} from '../../functions/domain/results/issuance';

/** What result documents say, and the rules of issuance at the window. */
const record = {
  caseNumber: 'TS261126-ABCDEFGH',
  applicant: { kind: 'person', name: '张小明', idNumber: '11010519491231002X', phone: '13812345678' },
  matter: {
    name: '取水许可',
    materials: [
      { id: 'statement', name: '第三方承诺书', required: true, deferrable: true, keyMaterial: false },
    ],
  },
  pickupCode: '042917',
  deferrals: { items: [{ materialId: 'statement', dueDate: '2026-12-01' }] },
  materials: { statement: { status: 'missing' } },
} as unknown as CaseRecord;

const facts = {
  resultName: '取水许可证',
  resultNumber: 'ZSTS261126-ABCDEFGH',
  verificationCode: 'K7Q2M9XR',
  decisionDate: '2026-11-30',
  issuer: '区水务局',
  verifyAt: 'https://example.invalid/results/verify',
};

describe('result documents', () => {
  it('names the result, the applicant, the matter, the case, the dates and the issuer, and prints the check', () => {
    const doc = approvalDocument(record, { ...facts, validUntil: '2031-12-31' });
    expect(doc.title).toBe('取水许可证');
    expect(Object.fromEntries(doc.fields.map((f) => [f.label, f.value]))).toEqual({
      编号: 'ZSTS261126-ABCDEFGH',
      申请人: '张小明',
      事项: '取水许可',
      办件编号: 'TS261126-ABCDEFGH',
      决定日期: '2026-11-30',
      有效期至: '2031-12-31',
      发证机关: '区水务局',
    });
    expect(doc.verification?.code).toBe('K7Q2M9XR');
    expect(approvalDocument(record, facts).fields.map((f) => f.label)).not.toContain('有效期至');
  });

  it('gives a denial its reasons and the remedies', () => {
    const doc = denialDocument(record, { ...facts, reasons: '位于水源保护区' });
    expect(doc.title).toBe('不予行政许可决定书');
    expect(doc.paragraphs.join('\n')).toMatch(/位于水源保护区[\s\S]*行政复议[\s\S]*行政诉讼/);
  });

  it('labels a notice’s content and lists its items', () => {
    const doc = noticeDocument(
      {
        number: 'BZTS261126-ABCDEFGH-1',
        type: 'supplement',
        date: '2026-11-26',
        content: {
          title: '补正材料一次性告知书',
          caseNumber: 'TS261126-ABCDEFGH',
          matter: '取水许可',
          round: 1,
          items: [{ material: '取水申请书', problem: '缺少签章' }],
        },
      },
      '综合窗口',
    );
    expect(doc.title).toBe('补正材料一次性告知书');
    expect(doc.fields).toContainEqual({ label: '补正轮次', value: '1' });
    expect(doc.paragraphs).toEqual(['1. 取水申请书,缺少签章']);
  });
});

describe('issuance rules', () => {
  it('lets the collector prove who they are by the pick-up code or the whole ID number, nothing else', () => {
    expect(pickupIdentityHolds(record, { pickupCode: '042917' })).toBe(true);
    expect(pickupIdentityHolds(record, { pickupCode: '042918' })).toBe(false);
    expect(pickupIdentityHolds(record, { idNumber: '11010519491231002x' })).toBe(true);
    expect(pickupIdentityHolds(record, { idNumber: '110105194912310021' })).toBe(false);
    // The last four characters are what the masked number shows everyone: they prove nothing.
    expect(pickupIdentityHolds(record, { idNumber: '002X' })).toBe(false);
    expect(pickupIdentityHolds(record, {})).toBe(false);
    const enterprise = {
      ...record,
      applicant: { kind: 'enterprise' },
      pickupCode: undefined,
    } as unknown as CaseRecord;
    expect(pickupIdentityHolds(enterprise, { idNumber: '11010519491231002X' })).toBe(false);
    expect(pickupIdentityHolds(enterprise, { pickupCode: '042917' })).toBe(false);
  });

  it('holds the result back while a deferred material is missing', () => {
    expect(issuanceBlockers(record)).toEqual([
      { materialId: 'statement', name: '第三方承诺书', dueDate: '2026-12-01' },
    ]);
    const provided = { ...record, materials: { statement: { status: 'provided' } } } as unknown as CaseRecord;
    expect(issuanceBlockers(provided)).toEqual([]);
  });

  it('hashes the verification code with its number, case-insensitively', () => {
    expect(verificationCodeHash('ZS1', 'k7q2m9xr')).toBe(verificationCodeHash('ZS1', 'K7Q2M9XR'));
    expect(verificationCodeHash('ZS2', 'K7Q2M9XR')).not.toBe(verificationCodeHash('ZS1', 'K7Q2M9XR'));
  });

  it('draws codes of the asked length from Crockford base32 only (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.uint8Array({ minLength: 15, maxLength: 15 }),
        (length, bytes) => {
          const code = crockfordRandom(length, (n) => bytes.subarray(0, n));
          return code.length === length && /^[0-9A-HJKMNP-TV-Z]+$/.test(code);
        },
      ),
    );
  });
});
