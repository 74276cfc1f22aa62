import { defaultDurationsMs } from '../capacity/model';
import type { IdleResults } from './idle';
import type { CostResults, ScenarioCost } from './measure';
import { logicalTarget } from './targets';

/** The "Cost per case" section of bench/results/summary.md, from bench/results/cost.json. */
const usd = (value: number) => `$${value.toFixed(6)}`;
const num = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

function lowerBoundUsd(s: ScenarioCost, results: CostResults): number {
  // If AWS bills index writes made by a transaction at the standard rate, half of them go.
  return (
    s.cost.totalUsd -
    (s.usage.dynamoDb.transactionIndexWriteUnits / 2) * results.prices.prices.dynamoDbWriteRequestUnit.usd
  );
}

/** The case's cost if each invocation took the capacity model's assumed AWS duration instead. */
function withAssumedDurationsUsd(s: ScenarioCost, results: CostResults): number {
  const price = results.prices.prices.lambdaArmGbSecond.usd;
  const assumed = Object.entries(s.usage.lambda.byFunction).reduce(
    (gbs, [fn, f]) => gbs + (f.invocations * (defaultDurationsMs[fn] ?? 200) * f.memoryMb) / 1024 / 1000,
    0,
  );
  return s.cost.totalUsd + (assumed - s.usage.lambda.gbSeconds) * price;
}

export function costMarkdown(results: CostResults): string[] {
  const { scenarios, targets, prices } = results;
  const worst = Math.max(...scenarios.map((s) => s.cost.totalUsd));
  const mostTransitions = Math.max(...scenarios.map((s) => s.usage.stateTransitions));
  const mostWrites = Math.max(...scenarios.map((s) => s.usage.dynamoDb.writeUnits));
  const services = [...new Set(scenarios.flatMap((s) => Object.keys(s.cost.byService)))];
  const byTarget = [...new Set(scenarios.flatMap((s) => Object.keys(s.usage.dynamoDb.writesByTarget)))];
  const enrolment = scenarios[0];
  return [
    '## Cost per case',
    '',
    `Measured ${results.measuredAt}: one case per scenario from submission to closure through the whole local stack in one process (clock ×${results.clockSpeed}), counted by SDK middleware on the handlers' own clients (DynamoDB \`ReturnConsumedCapacity: INDEXES\`, which DynamoDB Local ${results.dynamoDbLocalReportsConsumedCapacity ? 'answers' : 'did not answer'}), the gateway requests the bench made, the states each execution entered and the events the pipes put on the buses. Priced at ${prices.region} on-demand list prices (\`bench/prices.json\`, written ${prices.writtenOn} from knowledge, not fetched: check its sources).`,
    '',
    '| scenario | API requests | Lambda invocations (GB-s) | state transitions | DynamoDB WRU / RRU | S3 PUT / GET | bus events | $ per case |',
    '|---|---|---|---|---|---|---|---|',
    ...scenarios.map(
      (s) =>
        `| ${s.run.scenario} | ${s.usage.apiRequests} | ${s.usage.lambda.invocations} (${s.usage.lambda.gbSeconds.toFixed(2)}) | ${s.usage.stateTransitions} | ${num(s.usage.dynamoDb.writeUnits)} / ${num(s.usage.dynamoDb.readUnits)} | ${s.usage.s3.putClass} / ${s.usage.s3.getClass} | ${s.usage.bus.events} | ${usd(s.cost.totalUsd)} |`,
    ),
    '',
    `Targets: ≤ $${targets.usdPerCase} per case — ${worst <= targets.usdPerCase ? `met (highest ${usd(worst)}, ${((worst / targets.usdPerCase) * 100).toFixed(0)}% of it)` : `**not met** (highest ${usd(worst)})`}; ≤ ${targets.stateTransitions} state transitions — ${mostTransitions <= targets.stateTransitions ? `met (at most ${mostTransitions})` : `**not met** (${mostTransitions})`}; ≤ ${targets.writeUnits} DynamoDB write units — ${mostWrites <= targets.writeUnits ? `met (at most ${num(mostWrites)})` : `**not met** (${num(mostWrites)})`}.`,
    '',
    ...scenarios.map(
      (s) =>
        `- **${s.run.scenario}**: ${s.run.description}; alerts raised: ${s.run.alertsRaised.join(', ') || 'none'}.`,
    ),
    '',
    `| service | ${scenarios.map((s) => s.run.scenario).join(' | ')} |`,
    `|---|${scenarios.map(() => '---').join('|')}|`,
    ...services.map(
      (service) =>
        `| ${service} | ${scenarios.map((s) => `${usd(s.cost.byService[service] ?? 0)} (${(((s.cost.byService[service] ?? 0) / s.cost.totalUsd) * 100).toFixed(0)}%)`).join(' | ')} |`,
    ),
    `| total | ${scenarios.map((s) => `**${usd(s.cost.totalUsd)}**`).join(' | ')} |`,
    '',
    `DynamoDB write units by table and index (${scenarios.map((s) => s.run.scenario).join(' / ')}): ${byTarget
      .map(
        (t) =>
          `${logicalTarget(t)} ${scenarios.map((s) => num(s.usage.dynamoDb.writesByTarget[t] ?? 0)).join(' / ')}`,
      )
      .join('; ')}.`,
    '',
    ...(enrolment
      ? [
          `Steps of ${enrolment.run.scenario} (API requests, write/read units, state transitions):`,
          '',
          '| step | requests | WRU | RRU | transitions |',
          '|---|---|---|---|---|',
          ...enrolment.run.steps.map((step) => {
            const dynamo = step.calls.filter((c) => c.service === 'dynamodb');
            const units = (kind: 'read' | 'write') =>
              dynamo.filter((c) => c.kind === kind).reduce((n, c) => n + c.units, 0);
            return `| ${step.step} | ${step.requests.length} | ${num(units('write'))} | ${num(units('read'))} | ${step.transitions} |`;
          }),
          '',
        ]
      : []),
    ...(results.idle ? idleMarkdown(results.idle) : []),
    'How the figures are made, and what they leave out:',
    '',
    `- Lambda invocations: one per API request, one per Task state entered (case-workflow), one stream batch per case (workflow-starter; at a peak one batch starts up to 50). Duration: the measured round trip through the local gateway for API requests (conservative: it includes the HTTP hop and DynamoDB Local), an assumed ${results.assumptions.workflowInvocationMs} ms for each workflow task and ${results.assumptions.starterInvocationMs} ms per starter batch; memory as deployed (512 MB, issuance 1024 MB), arm64. Cold starts (the init phase is billed too) are amortised over many cases and not included. At the capacity model's assumed warm AWS durations instead (${Object.entries(
      defaultDurationsMs,
    )
      .map(([fn, ms]) => `${fn} ${ms} ms`)
      .join(
        ', ',
      )}) the cases would cost ${scenarios.map((s) => usd(withAssumedDurationsUsd(s, results))).join(' / ')}.`,
    `- DynamoDB Local charges index writes made inside a transaction at the transactional rate (×2). If AWS charges index propagation as standard writes, the highest case costs ${usd(Math.max(...scenarios.map((s) => lowerBoundUsd(s, results))))} instead.`,
    `- The case head (\`CASE\`) is ${scenarios.map((s) => `${(s.caseItem.bytes / 1024).toFixed(1)} KiB (${s.run.scenario})`).join(', ')} by the size rules at closure (${scenarios.map((s) => `${s.caseItem.calculatorWriteUnits} WCU a write`).join(', ')}; twice that inside a transaction). A step writes the head attributes that changed, its trail event and the parts it adds; index rows only when a projected attribute or an index key changes (status and phase moves, alerts raised and resolved); the workflow's task token is an item of its own and writes no index row. Under 1 KiB the head would cost half at every step: the next saving.`,
    '- Not priced: storage, the pipes’ per-shard stream polling, KMS, CloudWatch Logs, X-Ray, Cognito, data transfer (see `notPriced` in `bench/prices.json`), and reads of worklist pages beyond the one page per step shown.',
    '',
  ];
}

/** A year of an idle case: what the sleeping timer costs where the old one woke every day. */
function idleMarkdown(idle: IdleResults): string[] {
  return [
    `Idle cases, one virtual year each (measured ${idle.measuredAt}, the local stack on a clock ×${idle.clockSpeed}, in its own process): the execution sleeps in the step's task until the next planned alert, and hands over to a successor before the one-year limit. A wake a day would be ${idle.dailyWakeTransitions} transitions a year.`,
    '',
    '| case | state transitions | workflow invocations | successors | DynamoDB WRU / RRU | alerts raised | $ a year |',
    '|---|---|---|---|---|---|---|',
    ...idle.cases.map(
      (c) =>
        `| ${c.profile} | ${c.stateTransitions} | ${c.taskInvocations} | ${c.successorsStarted} | ${num(c.dynamoDb.writeUnits)} / ${num(c.dynamoDb.readUnits)} | ${c.alertsRaised.length} | ${usd(c.usd.total)} |`,
    ),
    '',
    ...idle.cases.map(
      (c) => `- **${c.profile}**: ${c.description}; alerts: ${c.alertsRaised.join(', ') || 'none'}.`,
    ),
    '',
  ];
}
