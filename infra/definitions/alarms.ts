/**
 * The on-call alarms, as data: one entry per kind of alarm (its slug names the runbook section
 * `README.md#runbook-<slug>`), what it means, where to look and what fixes it. The monitoring stack
 * (infra/stacks/monitoring-stack.ts) builds the alarms and their descriptions from these entries, the
 * README's runbook is rendered from them (`renderRunbook`), and the tests check the one against the other.
 * Commands name the stage as `<stage>`.
 */
export interface AlarmRunbook {
  /** kebab-case; the runbook anchor is `runbook-<slug>`. */
  slug: string;
  title: string;
  /** One line: what the alarm says has happened. */
  meaning: string;
  /** How to see what is affected (cases, requests, messages). */
  look: readonly string[];
  /** What fixes it, commands first. */
  fix: readonly string[];
}

export const alarmRunbooks = [
  {
    slug: 'api-5xx-rate',
    title: 'API 5xx rate above 1 %',
    meaning:
      'More than 1 % of the HTTP API requests were answered with a 5xx status in each of the last three 5-minute periods.',
    look: [
      'The dashboard `onewindow-<stage>-operations`: the API widget shows when it started, the Lambda errors widget which function fails.',
      "The API access log group (its name starts with `OneWindow-<stage>-Api-ApiAccessLogs`) has `status`, `routeKey` and `integrationError` of every request; the failing function's log group (Lambda console, Monitor) has the error.",
      'A 503 or 504 with an integration timeout usually follows DynamoDB or Lambda throttling: see [table throttles](#runbook-table-throttles) and [function throttles](#runbook-function-throttles).',
    ],
    fix: [
      'Fix the failing function, or deploy the previous version: `npx cdk deploy OneWindow-<stage>-Api -c stage=<stage>` from the last good commit.',
      'Writes are idempotent by their `idempotency-key`: clients may retry the failed requests with the same key, nothing is created twice.',
    ],
  },
  {
    slug: 'api-latency',
    title: 'API p99 latency above 3 s',
    meaning:
      'The slowest 1 % of HTTP API requests took more than 3 seconds in each of the last three 5-minute periods.',
    look: [
      'The dashboard: API latency p50/p99 next to Lambda duration per function shows which function is slow.',
      "The function's X-Ray traces (active tracing) show whether the time goes to DynamoDB, S3 or Step Functions; cold starts show as `Init` segments.",
    ],
    fix: [
      'A slow dependency: see [table throttles](#runbook-table-throttles). A function near its timeout: raise `memorySize` or `timeoutSeconds` in `functions/registry.ts` and deploy.',
      'Schedule loads (`PUT /calendar/schedules/{year}`) recompute every open case within the request and are slow by design; they are rare.',
    ],
  },
  {
    slug: 'function-errors',
    title: 'Lambda function errors',
    meaning:
      'A Lambda function failed (uncaught error, timeout, out of memory) in at least two of the last three 5-minute periods; a scheduled function in the last one.',
    look: [
      'The alarm names the function (`onewindow-<stage>-<id>`); its log group has the ERROR lines with the request id, and X-Ray has the failing traces.',
      'API functions: the caller got a 5xx. `case-workflow`: the state machine retries the task and fails the execution when it keeps failing (see [workflow failed](#runbook-workflow-failed)). `workflow-starter`: the batch is retried, then dead-lettered (see [dead letters](#runbook-dead-letters)). `operations-check`: the figures are stale.',
      'Cases the workflow gave up on: `npm run ops -- attention --stage <stage>`; one case: `GET /cases/{id}/trail`.',
    ],
    fix: [
      'Deploy the fix, or the last good commit: `npx cdk deploy --all -c stage=<stage>`. Then repair what the errors left behind:',
      '`workflow-starter`: `npm run ops -- redrive --stage <stage> --yes` re-delivers the dead-lettered stream batches to it.',
      '`case-workflow`: `npm run ops -- resume <caseId> --stage <stage> --yes` starts a new execution for each open case that `npm run ops -- attention --stage <stage>` lists.',
      '`operations-check`: `npm run ops -- check --stage <stage>` runs the check now and prints its figures.',
    ],
  },
  {
    slug: 'function-throttles',
    title: 'Lambda function throttled',
    meaning:
      'Lambda refused to run a function (no concurrency left) in at least two of the last three 5-minute periods; a scheduled function in the last one.',
    look: [
      'The dashboard: throttles per function, and the account-wide `ConcurrentExecutions` in the Lambda console. A throttled API request was answered with an error; stream batches and scheduled runs are retried.',
    ],
    fix: [
      'Raise the Lambda concurrent executions quota of the account and region (Service Quotas), or find the function that takes the concurrency (a loop, a retry storm) and fix it.',
      'Afterwards: `npm run ops -- redrive --stage <stage> --yes` if a stream consumer dead-lettered batches, `npm run ops -- check --stage <stage>` if the check was throttled.',
    ],
  },
  {
    slug: 'dead-letters',
    title: 'Messages in a dead-letter queue',
    meaning:
      'A consumer gave up and put what it could not handle in its dead-letter queue: a stream batch (`workflow-starter`), a stream event (`case-alerts`, `case-notifications` pipes) or a scheduled run (`operations-check`).',
    look: [
      'The alarm names the queue (`onewindow-<stage>-<consumer>-dlq`). For a stream consumer a message holds the shard and the sequence range of the batch, not the records: the table stream keeps the records for 24 hours only, so redrive the same day.',
      "The consumer's log group (the function's or the pipe's) says why. Accepted cases whose workflow did not start have no execution named by their id in the Step Functions console; `GET /cases/{id}/trail` shows the acceptance.",
    ],
    fix: [
      'Fix the cause first (see [function errors](#runbook-function-errors)), then `npm run ops -- redrive --stage <stage> --yes` re-delivers the dead-lettered stream batches to their consumer.',
      'A case whose records are older than 24 hours cannot be redriven: `npm run ops -- resume <caseId> --stage <stage> --yes` starts its workflow from the case itself.',
      'A schedule queue (`…-<function>-schedule-dlq`): the runs it holds are past; the next run catches up (the timers raise every alert that fell due, the check counts afresh; `npm run ops -- check --stage <stage>` shows the figures now), then purge the queue (`aws sqs purge-queue --queue-url <url>`).',
      "`redrive` does not read the pipes' queues (`…-case-alerts-pipe-dlq`, `…-case-notifications-pipe-dlq`): the alert and notification items are in the cases table (active alerts: `GET /alerts?scope=centre&level=red`), only their events on the bus are missing. Tell the subscribers of the bus what was lost, then purge the queue.",
    ],
  },
  {
    slug: 'workflow-failed',
    title: 'Case workflow execution failed',
    meaning:
      'A case lifecycle execution failed: until it is resumed the case has no running workflow (no deadline timer, no alerts, no renewal).',
    look: [
      '`npm run ops -- attention --stage <stage>` lists the cases the workflow flagged for the centre admin, with the reason; the centre admin sees them as `GET /alerts?scope=centre&level=red` (`workflow-failed` alerts).',
      'Failed executions are named by the case id (`<caseId>`, `<caseId>-g2`, …) in the Step Functions console; `GET /cases/{id}/trail` shows where the case stands.',
    ],
    fix: [
      'Fix the cause (see [function errors](#runbook-function-errors)), then `npm run ops -- resume <caseId> --stage <stage> --yes` for each case: a new execution reads the phase and the deadlines from the case.',
    ],
  },
  {
    slug: 'workflow-timed-out',
    title: 'Case workflow execution timed out',
    meaning:
      'A case lifecycle execution reached its time limit without handing over to its successor: the case has no running workflow until it is resumed.',
    look: [
      'The timed-out execution is named by the case id in the Step Functions console; `npm run ops -- attention --stage <stage>` and `GET /cases/{id}/trail` show the case.',
    ],
    fix: [
      '`npm run ops -- resume <caseId> --stage <stage> --yes` starts the next generation of its execution (`<caseId>-gN`), which continues from the case.',
    ],
  },
  {
    slug: 'table-throttles',
    title: 'DynamoDB requests throttled',
    meaning:
      'A table refused requests (throttled) in at least two of the last three 5-minute periods, more than the SDK retries could absorb.',
    look: [
      'The dashboard: consumed capacity and throttles per table. The tables are on demand: throttling means a hot partition key (one case, one matter) or a peak above twice the previous one.',
      "The failing requests show as errors of the functions that made them (see [function errors](#runbook-function-errors)); the functions' logs name the case.",
    ],
    fix: [
      'Find the hot key with CloudWatch Contributor Insights: `aws dynamodb update-contributor-insights --table-name onewindow-<stage>-<table> --contributor-insights-action ENABLE`.',
      'For an expected peak (enrolment), pre-warm the table (warm throughput) before it starts. Afterwards redrive and resume as for [function errors](#runbook-function-errors).',
    ],
  },
  {
    slug: 'cases-in-attention',
    title: 'Cases in attention',
    meaning:
      'The hourly operations check counted cases the workflow flagged for the centre admin (an active red `workflow-failed` alert): each one waits for a person.',
    look: [
      '`npm run ops -- attention --stage <stage>` lists them with the reason on the case; the centre admin sees them as `GET /alerts?scope=centre&level=red`; `GET /cases/{id}/trail` shows what happened to one.',
    ],
    fix: [
      'Fix what the reason names, then `npm run ops -- resume <caseId> --stage <stage> --yes` for each case. The alarm clears at the next hourly check; `npm run ops -- check --stage <stage>` runs it now.',
    ],
  },
  {
    slug: 'alerts-escalated-to-admin',
    title: 'Alerts escalated to the centre admin',
    meaning:
      'The hourly operations check counted deadline alerts escalated to the centre admin (超期未办结,已上报中心管理员): cases overdue beyond the escalation threshold.',
    look: [
      'The centre admin: `GET /alerts?scope=centre&level=red` (the `escalated-to-admin` alerts, earliest due first); `GET /cases/{id}/trail` for each case.',
    ],
    fix: [
      'Not a technical fault: the centre admin follows up with the department (电子监察). The count falls when the cases are decided; `npm run ops -- check --stage <stage>` prints the figures now.',
      'If the count is wrong after a holiday schedule change, check that the schedule is loaded (`npm run ops -- check --stage <stage>`).',
    ],
  },
  {
    slug: 'holiday-schedule-missing',
    title: "Next year's holiday schedule missing",
    meaning:
      "From 1 December, next year's holiday schedule (节假日安排) is not loaded: deadlines that run into January would be counted without its holidays and make-up workdays.",
    look: [
      '`npm run ops -- check --stage <stage>` prints the figures of the check, the missing year among them; `GET /calendar/schedules` lists the known years and where each comes from (a year not loaded is provisional).',
    ],
    fix: [
      "Write next year's schedule from the State Council's notice (国务院办公厅关于节假日安排的通知) in the notice's form and load it: `npm run ops -- load-schedule <file> --stage <stage> --yes` (it says first what changes; the open deadlines are recomputed). The alarm clears at the next hourly check.",
    ],
  },
  {
    slug: 'schedule-silent',
    title: 'Scheduled function did not run',
    meaning:
      'A scheduled function was not invoked for two of its intervals in a row: for the operations check its figures are stale and the alarms on them cannot fire; for the consultation timer or the qualification alerts, alerts are not raised.',
    look: [
      'The alarm names the function (`operations-check`, `consultation-timer` or `qualification-alerts`); its schedule `onewindow-<stage>-<function>` in EventBridge Scheduler (group `onewindow-<stage>`): is it enabled? Its dead-letter queue (see [dead letters](#runbook-dead-letters)) and the function errors alarm say whether runs were refused or failed.',
    ],
    fix: [
      '`npx cdk deploy OneWindow-<stage>-Workflow -c stage=<stage>` restores a schedule that was changed or disabled by hand; `npm run ops -- check --stage <stage>` shows the operations figures meanwhile. The timers catch up by themselves at their next run: they raise every alert that fell due.',
    ],
  },
] as const satisfies readonly AlarmRunbook[];

export type AlarmSlug = (typeof alarmRunbooks)[number]['slug'];

export const alarmSlugs: AlarmSlug[] = alarmRunbooks.map((runbook) => runbook.slug);

export function alarmRunbook(slug: AlarmSlug): AlarmRunbook {
  const found = alarmRunbooks.find((runbook) => runbook.slug === slug);
  if (!found) throw new Error(`no runbook for alarm ${slug}`);
  return found;
}

export const runbookAnchor = (slug: AlarmSlug): string => `runbook-${slug}`;

/** The last line of every alarm description. */
export const runbookReference = (slug: AlarmSlug): string => `Runbook: README.md#${runbookAnchor(slug)}`;

/**
 * An alarm's description (the notification e-mail shows it): the one-line meaning, what the alarm watches,
 * and the runbook section last. CloudWatch takes 1,024 characters at most.
 */
export function alarmDescription(slug: AlarmSlug, subject: string): string {
  const text = `${alarmRunbook(slug).meaning}\n${subject}\n${runbookReference(slug)}`;
  if (text.length > 1024) throw new Error(`the description of alarm ${slug} (${subject}) is too long`);
  return text;
}

/** The on-call topic (`onewindow-<stage>-on-call`): every alarm notifies it on ALARM and on OK. */
export const onCallTopicId = 'on-call';

/** The registry function whose hourly figures (functions/shared/metrics.ts gauges) the custom alarms watch. */
export const operationsCheckFunctionId = 'operations-check';

/**
 * The `alarmEmail` context: one e-mail address for the on-call topic, or nothing (no subscription; subscribe
 * by hand or through another channel).
 */
export function parseAlarmEmail(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const email = typeof value === 'string' ? value.trim() : '';
  if (!/^[^\s@,;]+@[^\s@,;]+\.[A-Za-z]{2,}$/.test(email)) {
    throw new Error(`context alarmEmail must be one e-mail address (got ${JSON.stringify(value)})`);
  }
  return email;
}

/** Seconds between runs of a `rate(n unit)` schedule expression; undefined for a `cron(…)` one. */
export function rateSeconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const unit = (match[2] as string).replace(/s$/, '');
  const seconds = { minute: 60, hour: 3600, day: 86_400 }[unit] as number;
  return Number(match[1]) * seconds;
}

/** The README's runbook section (Markdown): `### Runbook`, then one `####` section per alarm. */
export function renderRunbook(): string {
  const lines = [
    '### Runbook',
    '',
    'Every alarm of a stage (`onewindow-<stage>-…`) notifies the SNS topic `onewindow-<stage>-on-call` when it',
    'fires and when it clears; the description in the notification ends with the section below. The dashboard',
    '`onewindow-<stage>-operations` shows every alarm and the figures behind them. `<stage>` is the stage',
    'name (`dev`, `prod`, …); the operator commands need AWS credentials of the account.',
  ];
  for (const runbook of alarmRunbooks) {
    lines.push(
      '',
      `<a id="${runbookAnchor(runbook.slug)}"></a>`,
      '',
      `#### ${runbook.title}`,
      '',
      `**What it means.** ${runbook.meaning}`,
      '',
      '**Where to look.**',
      '',
      ...runbook.look.map((item) => `- ${item}`),
      '',
      '**What fixes it.**',
      '',
      ...runbook.fix.map((item) => `- ${item}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
