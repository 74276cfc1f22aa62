import { describe, expect, it } from 'vitest';
import { mayConfigureCentre, mayEditMattersOf } from '../../functions/domain/catalogue/authorization';
import { type ServiceGuideContent, serviceGuideContent } from '../../functions/domain/catalogue/model';
import { implementerNatureOf, serviceGuideIssues } from '../../functions/domain/catalogue/rules';
import {
  effectiveVersion,
  type PublishedSnapshot,
  planPublication,
} from '../../functions/domain/catalogue/versions';
import { detectFileType } from '../../functions/domain/file-type';

const guide = (overrides: Partial<ServiceGuideContent> = {}): ServiceGuideContent =>
  serviceGuideContent.parse({
    name: '取水许可',
    type: 'administrative-licensing',
    caseType: 'promised',
    statutoryLimit: { value: 20 },
    promisedLimit: { value: 10 },
    acceptanceConditions: ['申请人为取用水资源的单位或个人'],
    processSteps: [{ name: '受理', description: '综合窗口受理' }],
    fees: { charged: false, description: '不收费' },
    result: { name: '取水许可证' },
    consultationPhone: '0464-1234567',
    complaintPhone: '12345',
    channels: ['counter', 'online'],
    materials: [
      {
        id: 'application',
        name: '取水申请书',
        issuer: '申请人',
        originals: 1,
        copies: 0,
        required: true,
        keyMaterial: true,
      },
      {
        id: 'licence',
        name: '营业执照',
        issuer: '市场监管部门',
        originals: 0,
        copies: 1,
        required: true,
        keyMaterial: false,
        deferrable: true,
      },
    ],
    ...overrides,
  });

describe('serviceGuideIssues', () => {
  it('accepts a consistent guide', () => {
    expect(serviceGuideIssues(guide())).toEqual([]);
  });

  it('refuses a promised limit above the statutory one', () => {
    expect(serviceGuideIssues(guide({ promisedLimit: { value: 21, unit: 'working-days' } }))).toEqual([
      { field: 'promisedLimit.value', message: '承诺时限不得超过法定时限' },
    ]);
  });

  it('refuses a deferrable key material and a deferrable optional one', () => {
    const materials = guide().materials.map((m) => ({ ...m, deferrable: true }));
    materials[1] = { ...(materials[1] as (typeof materials)[number]), required: false };
    const fields = serviceGuideIssues(guide({ materials })).map((issue) => issue.field);
    expect(fields).toEqual(['materials.0.deferrable', 'materials.1.deferrable']);
  });

  it('requires instant matters to be decided on the spot without deferred materials', () => {
    const fields = serviceGuideIssues(guide({ caseType: 'instant' })).map((issue) => issue.field);
    expect(fields).toEqual(['promisedLimit.value', 'materials']);
  });

  it('refuses duplicate material ids and materials with no copy at all', () => {
    const [first] = guide().materials;
    const materials = [first, { ...first, originals: 0, copies: 0 }] as ServiceGuideContent['materials'];
    expect(serviceGuideIssues(guide({ materials })).map((issue) => issue.field)).toEqual([
      'materials.1.id',
      'materials.1.copies',
    ]);
  });
});

describe('implementerNatureOf', () => {
  it('is the entrusted organisation (受委托组织) only at an entrusted window', () => {
    expect(implementerNatureOf({ windowId: 'w', staffingMode: 'entrusted', since: '2021-09-01' })).toBe(
      'entrusted-organisation',
    );
    expect(implementerNatureOf({ windowId: 'w', staffingMode: 'dispatched', since: '2021-09-01' })).toBe(
      'statutory-authority',
    );
    expect(implementerNatureOf(undefined)).toBe('statutory-authority');
  });
});

describe('published versions', () => {
  const snapshot = (version: number, validFrom: string): PublishedSnapshot => ({
    version,
    name: `v${version}`,
    caseType: 'promised',
    type: 'administrative-licensing',
    validFrom,
    publishedAt: '2026-01-01T00:00:00Z',
  });

  it('makes a version valid from today or earlier current at once', () => {
    expect(planPublication({}, snapshot(1, '2026-11-25'), '2026-11-25')).toEqual({
      ok: true,
      pointers: { current: snapshot(1, '2026-11-25') },
    });
  });

  it('keeps the current version live until a scheduled one takes effect', () => {
    const plan = planPublication(
      { current: snapshot(1, '2026-01-01') },
      snapshot(2, '2027-01-01'),
      '2026-11-25',
    );
    expect(plan.ok && plan.pointers).toEqual({
      current: snapshot(1, '2026-01-01'),
      scheduled: snapshot(2, '2027-01-01'),
    });
    if (!plan.ok) throw new Error('plan refused');
    expect(effectiveVersion(plan.pointers, '2026-12-31')?.version).toBe(1);
    expect(effectiveVersion(plan.pointers, '2027-01-01')?.version).toBe(2);
  });

  it('refuses a date earlier than the version in effect', () => {
    const plan = planPublication(
      { current: snapshot(1, '2026-06-01') },
      snapshot(2, '2026-05-31'),
      '2026-11-25',
    );
    expect(plan).toMatchObject({ ok: false, issues: [{ field: 'validFrom' }] });
  });

  it('replaces a pending scheduled version with a newer one', () => {
    const plan = planPublication(
      { current: snapshot(1, '2026-01-01'), scheduled: snapshot(2, '2027-03-01') },
      snapshot(3, '2027-02-01'),
      '2026-11-25',
    );
    expect(plan.ok && plan.pointers).toEqual({
      current: snapshot(1, '2026-01-01'),
      scheduled: snapshot(3, '2027-02-01'),
    });
  });
});

describe('catalogue authorization', () => {
  it('lets only the centre admin configure windows and departments', () => {
    expect(mayConfigureCentre({ userId: 'a', roles: ['admin'] })).toBe(true);
    expect(mayConfigureCentre({ userId: 'c', roles: ['clerk'], windowId: 'window-1' })).toBe(false);
  });

  it("lets a department's reviewer or chief edit only that department's matters", () => {
    expect(mayEditMattersOf({ userId: 'r', roles: ['reviewer'], departmentId: 'water' }, 'water')).toBe(true);
    expect(mayEditMattersOf({ userId: 'h', roles: ['chief'], departmentId: 'water' }, 'water')).toBe(true);
    expect(mayEditMattersOf({ userId: 'r', roles: ['reviewer'], departmentId: 'water' }, 'education')).toBe(
      false,
    );
    expect(mayEditMattersOf({ userId: 'a', roles: ['admin'] }, 'water')).toBe(false);
    expect(mayEditMattersOf({ userId: 'c', roles: ['clerk'], departmentId: 'water' }, 'water')).toBe(false);
  });
});

describe('detectFileType', () => {
  it('recognises PDF, JPEG, PNG and OFD by their first bytes only', () => {
    expect(detectFileType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(detectFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(detectFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      'image/png',
    );
    expect(
      detectFileType(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....OFD.xml')])),
    ).toBe('application/ofd');
    expect(detectFileType(Buffer.from('MZ executable'))).toBeUndefined();
    expect(detectFileType(Buffer.from('<html>%PDF-'))).toBeUndefined();
  });
});
