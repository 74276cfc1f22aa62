import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/definitions/asl';
import { localAudience, localIssuer, openLocalIssuer } from '../../infra/local/issuer';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-token-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const token = (...args: string[]) =>
  spawnSync('npm', ['run', '-s', 'token', '--', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    encoding: 'utf8',
  });

describe('npm run -s token', () => {
  it('prints only a JWT signed by the local issuer with the role, window, department and subject asked for', async () => {
    const result = token('--role', 'clerk', '--window', 'W2', '--department', 'D-water', '--sub', 'clerk-7');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const jwks = createLocalJWKSet((await openLocalIssuer(dataDir)).jwks);
    const { payload } = await jwtVerify(result.stdout.trim(), jwks, {
      issuer: localIssuer,
      audience: localAudience,
    });
    expect(payload).toMatchObject({
      sub: 'clerk-7',
      token_use: 'id',
      'cognito:groups': ['clerk'],
      'custom:windowId': 'W2',
      'custom:departmentId': 'D-water',
    });
  });

  it('refuses an unknown role with usage on stderr and exit code 2', () => {
    const result = token('--role', 'mayor');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--role must be one of applicant, clerk, reviewer, chief, admin/);
  });
});
