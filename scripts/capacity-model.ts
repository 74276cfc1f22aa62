import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadBuiltInProfile,
  peakInput,
  peakOptionsSchema,
  profileFromCostFile,
} from '../bench/capacity/inputs';
import { capacityModel } from '../bench/capacity/model';
import { capacityTable } from '../bench/capacity/report';
import { repoRoot } from '../infra/definitions/asl';

/**
 * `npm run capacity -- --applications 100000 --first-hour-share 0.3 [--burst-factor 3] [--burst-minutes 10]
 * [--acceptances-per-hour 1500] [--api-rate-limit 500] [--api-burst-limit 1000] [--cost-file F] [--out F]`:
 * what a seasonal peak asks of each service, against the limits, with what to raise or pre-warm.
 * Prints a table and writes bench/results/capacity.json.
 */
const usage =
  'usage: capacity-model [--applications N] [--first-hour-share F] [--burst-factor X] [--burst-minutes M] [--acceptances-per-hour N] [--api-rate-limit N] [--api-burst-limit N] [--cost-file FILE] [--out FILE]';

let args: ReturnType<typeof parseArgs>['values'];
try {
  args = parseArgs({
    options: {
      applications: { type: 'string' },
      'first-hour-share': { type: 'string' },
      'burst-factor': { type: 'string' },
      'burst-minutes': { type: 'string' },
      'acceptances-per-hour': { type: 'string' },
      'api-rate-limit': { type: 'string' },
      'api-burst-limit': { type: 'string' },
      'cost-file': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const parsed = peakOptionsSchema.safeParse({
  applications: args.applications,
  firstHourShare: args['first-hour-share'],
  burstFactor: args['burst-factor'],
  burstMinutes: args['burst-minutes'],
  acceptancesPerHour: args['acceptances-per-hour'],
  apiRateLimit: args['api-rate-limit'],
  apiBurstLimit: args['api-burst-limit'],
});
if (!parsed.success) {
  for (const issue of parsed.error.issues) {
    const flag = issue.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    process.stderr.write(`error: --${flag}: ${issue.message}\n`);
  }
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const costFile = path.resolve(String(args['cost-file'] ?? path.join(repoRoot, 'bench/results/cost.json')));
const profile = profileFromCostFile(costFile) ?? loadBuiltInProfile();
let report: ReturnType<typeof capacityModel>;
try {
  report = capacityModel(peakInput(parsed.data, profile));
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
process.stdout.write(capacityTable(report));
const out = path.resolve(String(args.out ?? path.join(repoRoot, 'bench/results/capacity.json')));
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
