import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { functionDefinitions } from '../functions/registry';
import { repoRoot } from '../infra/definitions/asl';

/**
 * Cold path of every Lambda: the minified ESM bundle esbuild makes (as CDK bundles it) and the time a
 * fresh Node process takes to import and initialise it, against a bare bundle that holds only the same
 * SDK clients. Median of several fresh processes each.
 */
export interface ColdPathResult {
  function: string;
  bundleBytes: number;
  bareBytes: number;
  sizeRatio: number;
  initMsMedian: number;
  bareInitMsMedian: number;
  initRatio: number;
}

const bareSource = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
const ddb = new DynamoDBClient({});
export const clients = [DynamoDBDocumentClient.from(ddb), new S3Client({}), new SFNClient({})];
export const handler = async () => ({ statusCode: 200, body: '{}' });
`;

async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  return statSync(outfile).size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function initTimes(file: string, runs: number, env: Record<string, string>): number[] {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  return Array.from({ length: runs }, () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`import of ${file} failed: ${result.stderr}`);
    return Number(result.stdout);
  });
}

export async function measureColdPath(runs = 7): Promise<ColdPathResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-bundles-'));
  const bareEntry = path.join(repoRoot, 'bench', '.bare-entry.mjs');
  writeFileSync(bareEntry, bareSource);
  const bareFile = path.join(dir, 'bare.mjs');
  const bareBytes = await bundle(bareEntry, bareFile);
  // Configuration the handlers validate at init (values only need to be well-formed).
  const env = {
    AWS_REGION: 'cn-north-1',
    CASES_TABLE: 't',
    CATALOGUE_TABLE: 't',
    IDEMPOTENCY_TABLE: 't',
    MATERIALS_BUCKET: 'b',
    RESULTS_BUCKET: 'b',
    CASE_LIFECYCLE_STATE_MACHINE_ARN: 'arn:aws:states:cn-north-1:000000000000:stateMachine:x',
    JWT_ISSUER: 'urn:x',
    JWT_AUDIENCE: 'x',
    JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const bareInit = median(initTimes(bareFile, runs, env));
  const results: ColdPathResult[] = [];
  for (const fn of functionDefinitions) {
    const file = path.join(dir, `${fn.id}.mjs`);
    const bundleBytes = await bundle(path.join(repoRoot, fn.entry), file);
    const init = median(initTimes(file, runs, env));
    results.push({
      function: fn.id,
      bundleBytes,
      bareBytes,
      sizeRatio: bundleBytes / bareBytes,
      initMsMedian: init,
      bareInitMsMedian: bareInit,
      initRatio: init / bareInit,
    });
  }
  return results;
}
