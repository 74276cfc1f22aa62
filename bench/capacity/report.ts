import type { CapacityReport, Check } from './model';

/** The capacity model's answer as a terminal table and as a section of bench/results/summary.md. */
const fmt = (value: number): string =>
  value === 0 ? '0' : value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
const percent = (c: Check) => `${(c.utilisation * 100).toFixed(c.utilisation < 0.1 ? 1 : 0)}%`;

function headline(report: CapacityReport): string {
  const { input, rates } = report;
  return `${input.applications.toLocaleString('en-US')} ${input.matterCode} applications, ${(input.firstHourShare * 100).toFixed(0)}% in the first hour (${fmt(rates.firstHourPerSecond)}/s on average), the first ${input.burstMinutes} minutes at ×${input.burstFactor} (${fmt(rates.burstPerSecond)}/s); acceptance at the clerks' pace, ${input.acceptancesPerHour}/h (${fmt(rates.acceptancesPerSecond)}/s).`;
}

export function capacityTable(report: CapacityReport): string {
  const rows = report.checks.map((c) => [
    c.area,
    c.what,
    `${fmt(c.firstHour)} ${c.unit}`,
    `${fmt(c.burst)} ${c.unit}`,
    `${fmt(c.limit)}`,
    percent(c),
    c.verdict.toUpperCase(),
  ]);
  const header = ['area', 'what', 'first hour', 'burst', 'limit', 'use', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  const lambda = Object.entries(report.lambdaConcurrency).map(
    ([fn, v]) =>
      `  ${fn.padEnd(17)} ${fmt(v.invocationsPerSecond).padStart(7)} /s × ${String(v.durationMs).padStart(5)} ms = ${fmt(v.concurrency).padStart(6)} concurrent`,
  );
  const dynamo = Object.entries(report.dynamoDb).map(
    ([target, v]) =>
      `  ${target.padEnd(17)} ${fmt(v.wcuPerSecond).padStart(7)} WRU/s ${fmt(v.rcuPerSecond).padStart(7)} RRU/s  ${v.partitions} partition(s)`,
  );
  return [
    headline(report),
    `Per-application figures: ${report.input.profileSource}.`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Lambda concurrency in the burst (Little’s law):',
    ...lambda,
    '',
    'DynamoDB in the burst:',
    ...dynamo,
    '',
    'Where the design buffers:',
    ...report.buffers.map((b) => `  - ${b}`),
    '',
    'What to raise or pre-warm:',
    ...report.actions.map((a) => `  - ${a}`),
    '',
  ].join('\n');
}

export function capacityMarkdown(report: CapacityReport): string[] {
  return [
    '## Capacity model (`npm run capacity`)',
    '',
    `${headline(report)} Per-application figures: ${report.input.profileSource}. Lambda durations assumed warm in AWS: ${Object.entries(
      report.input.durationsMs,
    )
      .map(([fn, ms]) => `${fn} ${ms} ms`)
      .join(', ')}.`,
    '',
    '| area | what | first hour | burst | limit | use | verdict |',
    '|---|---|---|---|---|---|---|',
    ...report.checks.map(
      (c) =>
        `| ${c.area} | ${c.what} | ${fmt(c.firstHour)} ${c.unit} | ${fmt(c.burst)} ${c.unit} | ${fmt(c.limit)} | ${percent(c)} | ${c.verdict === 'ok' ? 'ok' : `**${c.verdict}**`} |`,
    ),
    '',
    `Lambda concurrency in the burst: ${Object.entries(report.lambdaConcurrency)
      .map(([fn, v]) => `${fn} ${fmt(v.concurrency)}`)
      .join(', ')}. DynamoDB partitions in the burst: ${Object.entries(report.dynamoDb)
      .map(([t, v]) => `${t} ${v.partitions}`)
      .join(', ')}.`,
    '',
    'Where the design buffers:',
    '',
    ...report.buffers.map((b) => `- ${b}`),
    '',
    'What must be raised or pre-warmed:',
    '',
    ...report.actions.map((a) => `- ${a}`),
    '',
  ];
}
