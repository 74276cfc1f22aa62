import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/platform/openapi';
import { allRoutes } from '../../functions/registry';
import { repoRoot } from '../../infra/definitions/asl';

/**
 * The document as app developers' tools see it: linted by Redocly (recommended rules, warnings as errors)
 * and Spectral (`spectral:oas`, failing on warnings), tools nobody here wrote. Both must find nothing.
 */
const run = promisify(execFile);
const folder = mkdtempSync(path.join(os.tmpdir(), 'onewindow-openapi-lint-'));
const documentFile = path.join(folder, 'openapi.json');
const bin = (name: string) => path.join(repoRoot, 'node_modules/.bin', name);

beforeAll(() => {
  const document = buildOpenApiDocument(allRoutes, { version: '0.1.0', serverUrl: 'http://127.0.0.1:3000' });
  writeFileSync(documentFile, JSON.stringify(document, null, 2));
  writeFileSync(path.join(folder, 'redocly.yaml'), 'extends:\n  - recommended-strict\n');
  writeFileSync(path.join(folder, '.spectral.json'), JSON.stringify({ extends: ['spectral:oas'] }));
});

const lint = async (command: string, args: string[]) => {
  try {
    const { stdout, stderr } = await run(bin(command), args, {
      cwd: folder,
      timeout: 120_000,
      // No telemetry or update check: the linters must not try to reach the network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
};

describe('the OpenAPI document under outside linters', () => {
  it('has no Redocly problem (recommended-strict: every warning an error)', async () => {
    const result = await lint('redocly', [
      'lint',
      documentFile,
      '--config',
      path.join(folder, 'redocly.yaml'),
    ]);
    expect(result.output).toContain('Your API description is valid');
    expect(result.code, result.output).toBe(0);
  }, 120_000);

  it('has no Spectral warning (spectral:oas)', async () => {
    const result = await lint('spectral', ['lint', documentFile, '--fail-severity=warn']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("No results with a severity of 'warn' or higher found");
  }, 120_000);
});
