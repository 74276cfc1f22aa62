import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidClaimsError,
  personFromClaims,
  principalFromClaims,
  principalFromStaff,
} from '../../functions/domain/principal';

describe('principalFromClaims', () => {
  it('maps Cognito ID-token claims to a principal with role, window and department', () => {
    const principal = principalFromClaims({
      sub: 'u-1',
      'cognito:groups': ['clerk', 'chief'],
      'custom:windowId': 'W2',
      'custom:departmentId': 'D-water',
      token_use: 'id',
    });
    expect(principal).toEqual({
      userId: 'u-1',
      roles: ['clerk', 'chief'],
      windowId: 'W2',
      departmentId: 'D-water',
    });
  });

  it('ignores groups that are not roles of this system', () => {
    expect(
      principalFromClaims({ sub: 'u-2', 'cognito:groups': ['admin', 'us-east-1_pool_Google'] }).roles,
    ).toEqual(['admin']);
  });

  it('gives no role to a token without groups', () => {
    expect(principalFromClaims({ sub: 'u-3' })).toEqual({ userId: 'u-3', roles: [] });
  });

  it('refuses claims without a subject', () => {
    expect(() => principalFromClaims({ 'cognito:groups': ['admin'] })).toThrow(InvalidClaimsError);
    expect(() => principalFromClaims({ sub: '' })).toThrow(InvalidClaimsError);
  });
});

describe('principalFromStaff', () => {
  it('gives an active record its role and only the scope that role has', () => {
    expect(principalFromStaff('u1', { role: 'clerk', windowId: 'window-2', active: true })).toEqual({
      userId: 'u1',
      roles: ['clerk'],
      windowId: 'window-2',
    });
    expect(
      principalFromStaff('u2', { role: 'chief', departmentId: 'water', windowId: 'window-2', active: true }),
    ).toEqual({ userId: 'u2', roles: ['chief'], departmentId: 'water' });
    expect(principalFromStaff('u3', { role: 'admin', active: true })).toEqual({
      userId: 'u3',
      roles: ['admin'],
    });
  });

  it('makes anyone without an active record an applicant, with no scope', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(
          fc.record({
            role: fc.constantFrom('clerk', 'reviewer', 'chief', 'admin') as fc.Arbitrary<
              'clerk' | 'reviewer' | 'chief' | 'admin'
            >,
            windowId: fc.option(fc.string(), { nil: undefined }),
            departmentId: fc.option(fc.string(), { nil: undefined }),
            active: fc.constant(false),
          }),
          { nil: undefined },
        ),
        (userId, staff) => {
          expect(principalFromStaff(userId, staff)).toEqual({ userId, roles: ['applicant'] });
        },
      ),
    );
  });
});

describe('personFromClaims', () => {
  it('reads only the configured claims, only strings, trimmed and bounded', () => {
    const names = { name: 'name', idNumber: 'id_card_no' };
    expect(personFromClaims({ name: ' 王芳 ', id_card_no: 42, auth_level: 'L3' }, names)).toEqual({
      name: '王芳',
    });
    expect(personFromClaims({ name: 'a'.repeat(500) }, names).name).toHaveLength(100);
    expect(personFromClaims({ name: 'x' }, {})).toEqual({});
  });
});
