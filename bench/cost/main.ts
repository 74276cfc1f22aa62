import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IdleResults } from './idle';

/**
 * `npx tsx bench/cost/main.ts`: measures the cost per case and writes bench/results/cost.json. The
 * handlers read LOG_LEVEL at import, so it is set before anything that loads them.
 */
process.env.LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const log = (line: string) => process.stdout.write(`${line}\n`);

const { measureCostPerCase } = await import('./measure');
const { repoRoot } = await import('../../infra/definitions/asl');
log('cost per case: the local stack in process, one case per scenario from submission to closure…');
const measured = await measureCostPerCase({ log });
log('idle cases (their own process: a faster clock)…');
const idle = await runIdleProfile(log);
const results = { ...measured, idle };
const out = path.join(repoRoot, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'cost.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/cost.json');

/** bench/cost/idle-main.ts in a child process: its stack runs on a clock of its own. */
function runIdleProfile(write: (line: string) => void): Promise<IdleResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', 'cost', 'idle-main.ts')], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      errors = (errors + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) write(line);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as IdleResults)
        : reject(new Error(`bench/cost/idle-main.ts exited with ${code}: ${errors.trim()}`)),
    );
  });
}
