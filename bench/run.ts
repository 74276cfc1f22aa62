import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../infra/definitions/asl';
import { atScaleMarkdown, measureAtScale } from './at-scale';
import { measureColdPath } from './cold-path';
import { costAndCapacitySection } from './cost/section';
import { measureHttpLatency } from './http-latency';

/**
 * `npm run bench`: measures, in one run on this machine, the figures the README reports. Timings are
 * shown as ratios to a floor measured in the same run (the machine is shared and noisy).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const writeResult = (file: string, value: unknown) =>
  writeFileSync(path.join(repoRoot, 'bench/results', file), `${JSON.stringify(value, null, 2)}\n`);

log('cold path: bundling every Lambda and importing each bundle in fresh processes…');
const coldPathRuns = 11;
const coldPath = await measureColdPath(coldPathRuns);
for (const r of coldPath) {
  log(
    `  ${r.function}: ${(r.bundleBytes / 1024).toFixed(0)} KiB (×${r.sizeRatio.toFixed(2)} bare), init ${r.initMsMedian.toFixed(0)} ms (×${r.initRatio.toFixed(2)} bare)`,
  );
}

log('HTTP: local gateway against a bare node http server…');
const http = await measureHttpLatency({ log });
const floorOf = (concurrency: number) =>
  http.find((r) => r.concurrency === concurrency && r.target.startsWith('floor'));

const rows = http
  .filter((r) => !r.target.startsWith('floor'))
  .map((r) => {
    const floor = floorOf(r.concurrency);
    return {
      ...r,
      throughputVsFloor: floor ? r.perSecond / floor.perSecond : Number.NaN,
      p99VsFloor: floor ? r.p99Ms / floor.p99Ms : Number.NaN,
    };
  });

log(`[${elapsed()}] intake, enrolment peak and worklists on the local stack (a child process)…`);
const atScale = await measureAtScale({ log });
writeResult('intake.json', {
  measuredAt: new Date().toISOString(),
  gateway: atScale.gateway,
  intake: atScale.intake,
});
writeResult('peak.json', {
  measuredAt: new Date().toISOString(),
  gateway: atScale.gateway,
  peak: atScale.peak,
});
writeResult('worklists.json', { measuredAt: new Date().toISOString(), worklists: atScale.worklists });

log(`[${elapsed()}] cost per case (the local stack in a child process) and the capacity model…`);
const costSection = await costAndCapacitySection({ log });

/** The targets: every bundle ≤ 1 MiB and its init ≤ 1.5 × the bare bundle's. */
function coldPathVerdict(measured: typeof coldPath): string {
  const overSize = measured.filter((r) => r.bundleBytes > 1024 * 1024).map((r) => r.function);
  const overInit = measured.filter((r) => r.initRatio > 1.5).map((r) => r.function);
  const met = (over: string[]) =>
    over.length === 0 ? 'met by every function' : `not met by ${over.join(', ')}`;
  return `Targets: bundle ≤ 1 MiB — ${met(overSize)}; init ≤ 1.5 × bare — ${met(overInit)}.`;
}

const results = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  coldPath,
  http,
  httpVsFloor: rows,
};
writeFileSync(path.join(repoRoot, 'bench/results/foundation.json'), `${JSON.stringify(results, null, 2)}\n`);

const summary = [
  '# Benchmark summary',
  '',
  `Measured ${results.measuredAt} on this 2-core machine, Node ${process.version}, one run. Ratios are to a floor measured in the same run.`,
  '',
  `## Cold path (esbuild with CDK's options, minified ESM; fresh \`node\` import + init, median of ${coldPathRuns})`,
  '',
  '| function | bundle | bare bundle | × bare | init | bare init | × bare |',
  '|---|---|---|---|---|---|---|',
  ...coldPath.map((r) =>
    r.bareBytes < 1024
      ? `| ${r.function} | ${(r.bundleBytes / 1024).toFixed(0)} KiB | (no SDK client) | n/a | ${r.initMsMedian.toFixed(0)} ms | ${r.bareInitMsMedian.toFixed(0)} ms | n/a |`
      : `| ${r.function} | ${(r.bundleBytes / 1024).toFixed(0)} KiB | ${(r.bareBytes / 1024).toFixed(0)} KiB | ${r.sizeRatio.toFixed(2)} | ${r.initMsMedian.toFixed(0)} ms | ${r.bareInitMsMedian.toFixed(0)} ms | ${r.initRatio.toFixed(2)} |`,
  ),
  '',
  "Bare bundle: the SDK clients the function's registry entry implies (DynamoDB + DocumentClient / S3 / SFN) and a trivial handler, bundled the same way.",
  '',
  coldPathVerdict(coldPath),
  '',
  '## Requests through the local gateway vs a bare node http server',
  '',
  '| route | clients | req/s | × floor | p50 | p99 | p99 × floor |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.target} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.throughputVsFloor.toFixed(2)} | ${r.p50Ms.toFixed(2)} ms | ${r.p99Ms.toFixed(2)} ms | ${r.p99VsFloor.toFixed(2)} |`,
  ),
  '',
  ...[...new Set(http.map((r) => r.concurrency))].map((c) => {
    const f = floorOf(c);
    return `Floor at ${c} client(s): ${f?.perSecond.toFixed(0)} req/s, p99 ${f?.p99Ms.toFixed(2)} ms.`;
  }),
  '',
  ...atScaleMarkdown(atScale),
  ...costSection,
  `The whole \`npm run bench\` took ${elapsed()}.`,
  '',
];
writeFileSync(path.join(repoRoot, 'bench/results/summary.md'), summary.join('\n'));
log(`[${elapsed()}] wrote bench/results/*.json and bench/results/summary.md`);
