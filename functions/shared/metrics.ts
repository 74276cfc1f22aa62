import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AlertKind, AlertLevel } from '../domain/cases/alerts';

/**
 * Business metrics in CloudWatch's embedded metric format (EMF lines on stdout, which Lambda ships to
 * CloudWatch without an API call). One namespace; the dimensions are the stage and the function
 * (`service` is Powertools' own, always `onewindow`): no case, person or department id, so the number
 * of metric streams stays fixed. The alarms and the dashboard (infra/stacks/monitoring-stack.ts) read
 * these names.
 */
export const metricNamespace = 'OneWindow';
export const metricServiceName = 'onewindow';

export const metricNames = {
  /** A case was created (收件: submitted online or received at the counter). */
  casesReceived: 'CasesReceived',
  casesAccepted: 'CasesAccepted',
  casesRejected: 'CasesRejected',
  casesClosed: 'CasesClosed',
  /** The workflow gave up on a case and flagged it for the centre admin. */
  workflowFailures: 'WorkflowFailures',
  /** A stream record whose workflow could not be started this time (it is retried, then dead-lettered). */
  workflowStartFailures: 'WorkflowStartFailures',
  /** Age of the oldest record of a stream batch when its consumer got it (consumer lag). */
  streamRecordAge: 'StreamRecordAge',
  /** Gauges of the hourly operations check (functions/operations). */
  casesInAttention: 'CasesInAttention',
  openOverdueCases: 'OpenOverdueCases',
  alertsEscalatedToAdmin: 'AlertsEscalatedToAdmin',
  /** 1 from 1 December (Shanghai) while next year's holiday schedule is not loaded, else 0. */
  nextYearScheduleMissing: 'NextYearScheduleMissing',
} as const;

/** Alerts raised, one metric per kind and level (`AlertsRaised.deadline-overdue.red`): a fixed set. */
export const alertMetricName = (kind: AlertKind, level: AlertLevel) => `AlertsRaised.${kind}.${level}`;

const caseStatusMetrics = new Map<unknown, string>([
  ['accepted', metricNames.casesAccepted],
  ['rejected', metricNames.casesRejected],
  ['closed', metricNames.casesClosed],
]);

/**
 * What one committed write of a case counts: received when it leaves the draft (or is created past it:
 * a counter intake), accepted / rejected / closed when its status becomes that, and each alert it raises.
 * A 补正 round trip (submitted → supplement-requested → submitted) is not a second receipt.
 */
export function caseWriteMetrics(change: {
  statusBefore: unknown;
  statusAfter: unknown;
  raisedAlerts: readonly { kind: AlertKind; level: AlertLevel }[];
}): string[] {
  const names: string[] = [];
  const { statusBefore, statusAfter } = change;
  if (statusAfter !== undefined && statusAfter !== statusBefore) {
    const leftDraft = (statusBefore === undefined || statusBefore === 'draft') && statusAfter !== 'draft';
    if (leftDraft) names.push(metricNames.casesReceived);
    const byStatus = caseStatusMetrics.get(statusAfter);
    if (byStatus) names.push(byStatus);
  }
  for (const alert of change.raisedAlerts) {
    names.push(alertMetricName(alert.kind, alert.level));
    if (alert.kind === 'workflow-failed') names.push(metricNames.workflowFailures);
  }
  return names;
}

/**
 * The container's metrics, created on first use (the environment is complete by then, also in the local
 * stack, which loads every handler into one process and turns metrics off unless asked). The function
 * dimension is the Lambda function's name (`onewindow-<stage>-<id>`), which the alarms build from the
 * same resource names.
 */
let instance: Metrics | undefined;
export function metrics(): Metrics {
  instance ??= new Metrics({
    namespace: metricNamespace,
    serviceName: metricServiceName,
    defaultDimensions: {
      stage: process.env.STAGE ?? 'local',
      function: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
    },
  });
  return instance;
}

export const countMetric = (name: string, value = 1) => metrics().addMetric(name, MetricUnit.Count, value);

/**
 * Writes what this invocation recorded (one EMF line). Called at the end of each invocation; a flush
 * with nothing recorded writes nothing.
 */
export function flushMetrics(): void {
  if (instance?.hasStoredMetrics()) instance.publishStoredMetrics();
}

export { MetricUnit };
