import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchPath } from '../../functions/shared/http/path-template';

describe('matchPath', () => {
  it('matches literal paths exactly', () => {
    expect(matchPath('/health', '/health')).toEqual({});
    expect(matchPath('/health', '/health/')).toEqual({});
    expect(matchPath('/health', '/healthz')).toBeUndefined();
    expect(matchPath('/health', '/health/x')).toBeUndefined();
  });

  it('extracts and decodes path parameters', () => {
    expect(matchPath('/cases/{caseId}/materials/{materialId}', '/cases/C%2D1/materials/m2')).toEqual({
      caseId: 'C-1',
      materialId: 'm2',
    });
    expect(matchPath('/cases/{caseId}', '/cases')).toBeUndefined();
  });

  it('takes the rest of the path for a greedy parameter', () => {
    expect(matchPath('/files/{key+}', '/files/a/b/c.pdf')).toEqual({ key: 'a/b/c.pdf' });
    expect(matchPath('/files/{key+}', '/files')).toBeUndefined();
  });

  it('keeps a malformed escape as it came instead of failing', () => {
    expect(matchPath('/cases/{caseId}', '/cases/%E0%A4%A')).toEqual({ caseId: '%E0%A4%A' });
  });

  it('round-trips any segment value through encoding (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const path = `/cases/${encodeURIComponent(a)}/notices/${encodeURIComponent(b)}`;
        expect(matchPath('/cases/{caseId}/notices/{noticeId}', path)).toEqual({ caseId: a, noticeId: b });
      }),
    );
  });
});
