import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { type FunctionDefinition, functionDefinitions, stateMachineDefinitions } from '../functions/registry';
import { repoRoot } from '../infra/definitions/asl';
import { bucketEnvName, bucketIds } from '../infra/definitions/buckets';
import { esmRequireBanner, lambdaBundleTarget, lambdaMainFields } from '../infra/definitions/bundling';
import { tableEnvName, tableIds } from '../infra/definitions/tables';

/**
 * Cold path of every Lambda: the minified ESM bundle esbuild makes (with CDK's options, infra/definitions/bundling) and the time a
 * fresh Node process takes to import and initialise it, against a bare bundle that holds only the same
 * SDK clients (those its registry entry implies). Median of several fresh processes each, alternated.
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

/** A bundle holding only the SDK clients a function's registry entry implies, and a trivial handler. */
function bareSource(fn: FunctionDefinition): string {
  const lines: string[] = [];
  const clients: string[] = [];
  if (Object.keys(fn.tables).length > 0) {
    lines.push("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
    lines.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
    clients.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
  }
  if (Object.keys(fn.buckets).length > 0) {
    lines.push("import { S3Client } from '@aws-sdk/client-s3';");
    clients.push('new S3Client({})');
  }
  if (fn.workflow.length > 0) {
    lines.push("import { SFNClient } from '@aws-sdk/client-sfn';");
    clients.push('new SFNClient({})');
  }
  return `${lines.join('\n')}
export const clients = [${clients.join(', ')}];
export const handler = async () => ({ statusCode: 200, body: '{}' });
`;
}

async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: lambdaBundleTarget,
    mainFields: lambdaMainFields,
    logLevel: 'silent',
    banner: { js: esmRequireBanner },
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
  // Configuration the handlers validate at init (values only need to be well-formed).
  const env: Record<string, string> = {
    AWS_REGION: 'cn-north-1',
    ...Object.fromEntries(tableIds.map((id) => [tableEnvName(id), 't'])),
    ...Object.fromEntries(bucketIds.map((id) => [bucketEnvName(id), 'b'])),
    ...Object.fromEntries(
      stateMachineDefinitions.map((sm) => [
        sm.arnEnvName,
        'arn:aws:states:cn-north-1:000000000000:stateMachine:x',
      ]),
    ),
    JWT_ISSUER: 'urn:x',
    JWT_AUDIENCE: 'x',
    JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const results: ColdPathResult[] = [];
  for (const fn of functionDefinitions) {
    const bareEntry = path.join(repoRoot, 'bench', `.bare-${fn.id}.mjs`);
    writeFileSync(bareEntry, bareSource(fn));
    const bareFile = path.join(dir, `bare-${fn.id}.mjs`);
    const bareBytes = await bundle(bareEntry, bareFile);
    rmSync(bareEntry);
    const file = path.join(dir, `${fn.id}.mjs`);
    const bundleBytes = await bundle(path.join(repoRoot, fn.entry), file);
    // Alternate the two so that drift on a shared machine affects both alike.
    const times = { bare: [] as number[], function: [] as number[] };
    for (let i = 0; i < runs; i++) {
      times.bare.push(...initTimes(bareFile, 1, env));
      times.function.push(...initTimes(file, 1, env));
    }
    const init = median(times.function);
    const bareInit = median(times.bare);
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
  rmSync(dir, { recursive: true, force: true });
  return results;
}
