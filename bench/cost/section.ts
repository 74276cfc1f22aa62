import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../infra/definitions/asl';
import { enrolmentScenario, peakInput, peakOptionsSchema } from '../capacity/inputs';
import { capacityModel } from '../capacity/model';
import { profileOfScenario } from '../capacity/profile';
import { capacityMarkdown } from '../capacity/report';
import type { CostResults } from './measure';
import { costMarkdown } from './report';

/**
 * For `npm run bench`: the cost-per-case run (bench/cost/main.ts) in a child process — it loads the
 * handlers with the environment of its own local stack, which must not meet another stack's in this
 * process — then the capacity model for the peak (100 000 applications, 30% in the first hour)
 * from the measured enrolment case. Writes bench/results/cost.json and capacity.json; returns the
 * summary's "Cost per case" and "Capacity model" sections.
 */
export async function costAndCapacitySection(options: { log: (line: string) => void }): Promise<string[]> {
  const { log } = options;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', 'cost', 'main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bench/cost/main.ts exited with ${code}: ${errors.trim()}`)),
    );
  });
  const results = JSON.parse(
    readFileSync(path.join(repoRoot, 'bench/results/cost.json'), 'utf8'),
  ) as CostResults;
  const lines = costMarkdown(results);
  const enrolment = results.scenarios.find((s) => s.run.scenario === enrolmentScenario);
  if (enrolment) {
    const profile = profileOfScenario(
      enrolment.run,
      `the enrolment case measured in this run (bench/results/cost.json, ${results.measuredAt})`,
    );
    const report = capacityModel(peakInput(peakOptionsSchema.parse({}), profile));
    writeFileSync(path.join(repoRoot, 'bench/results/capacity.json'), `${JSON.stringify(report, null, 2)}\n`);
    log('wrote bench/results/capacity.json (capacity model for 100,000 applications, 30% in the first hour)');
    lines.push(...capacityMarkdown(report));
  }
  return lines;
}
