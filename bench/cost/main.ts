import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
const results = await measureCostPerCase({ log });
const out = path.join(repoRoot, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'cost.json'), `${JSON.stringify(results, null, 2)}\n`);
log('wrote bench/results/cost.json');
