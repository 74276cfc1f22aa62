import { describe, expect, it } from 'vitest';
import { InvalidClaimsError, principalFromClaims } from '../../functions/domain/principal';

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
