import type { Phase, ScenarioRecord, StepRecord } from '../cost/case-run';
import type { DynamoCall } from '../cost/meter';
import { logicalTarget } from '../cost/targets';

/**
 * What one application asks of the backend in each phase of the season, taken from a measured case
 * (bench/results/cost.json, the enrolment scenario): the capacity model multiplies it by the rates.
 */
export interface PhaseProfile {
  /** API requests (one Lambda invocation each) by function id. */
  requestsByFunction: Record<string, number>;
  /** API requests by route key (HTTP API throttling applies per route). */
  requestsByRoute: Record<string, number>;
  /** Task-state invocations of case-workflow. */
  workflowInvocations: number;
  /** StartExecution calls made by workflow-starter (one per accepted case). */
  startExecutions: number;
  /** SendTaskSuccess/Failure/Heartbeat calls. */
  sendTask: number;
  stateTransitions: number;
  /** Write and read request units by target: `cases`, `cases/gsi2-summary`, `idempotency`… */
  writeUnits: Record<string, number>;
  readUnits: Record<string, number>;
  /** S3 requests (the servers' and the browsers' through presigned URLs), PUT class and GET class. */
  s3Puts: number;
  s3Gets: number;
}

export interface HotKey {
  /** The index partition key, e.g. `WINDOW#window-1#draft`. */
  key: string;
  /** `cases/gsi2-summary`. */
  target: string;
  phase: Phase;
  /** Write units one application puts on that key in that phase. */
  writeUnitsPerApplication: number;
}

export interface WorkloadProfile {
  /** Where the figures come from. */
  source: string;
  matterCode: string;
  phases: Record<Phase, PhaseProfile>;
  hotKeys: HotKey[];
}

const emptyPhase = (): PhaseProfile => ({
  requestsByFunction: {},
  requestsByRoute: {},
  workflowInvocations: 0,
  startExecutions: 0,
  sendTask: 0,
  stateTransitions: 0,
  writeUnits: {},
  readUnits: {},
  s3Puts: 0,
  s3Gets: 0,
});

const bump = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

const indexUnits = (step: StepRecord, target: string): number =>
  step.calls
    .filter((c): c is DynamoCall => c.service === 'dynamodb' && c.kind === 'write')
    .flatMap((c) => Object.entries(c.byTarget))
    .filter(([t]) => logicalTarget(t) === target)
    .reduce((sum, [, units]) => sum + units, 0);

export function profileOfScenario(run: ScenarioRecord, source: string): WorkloadProfile {
  const phases: Record<Phase, PhaseProfile> = {
    intake: emptyPhase(),
    acceptance: emptyPhase(),
    processing: emptyPhase(),
  };
  for (const step of run.steps) {
    const phase = phases[step.phase];
    for (const request of step.requests) {
      bump(phase.requestsByFunction, request.functionId);
      bump(phase.requestsByRoute, request.routeKey);
    }
    phase.workflowInvocations += step.taskInvocations;
    phase.stateTransitions += step.transitions;
    for (const call of step.calls) {
      if (call.service === 'stepfunctions') {
        if (call.operation === 'StartExecution') phase.startExecutions++;
        if (call.operation.startsWith('SendTask')) phase.sendTask++;
      } else if (call.service === 's3') {
        if (call.presigned) continue;
        if (/^(Put|Copy|Post|List)/.test(call.operation)) phase.s3Puts++;
        else phase.s3Gets++;
      } else {
        for (const [target, units] of Object.entries(call.byTarget)) {
          bump(call.kind === 'write' ? phase.writeUnits : phase.readUnits, logicalTarget(target), units);
        }
      }
    }
  }

  // The worklist keys of the intake burst: a draft is on `WINDOW#<w>#draft` (gsi2-summary) from creation; the
  // submission moves it (delete there, put on `…#submitted`, and gsi3-summary `DEPT#<d>#submitted`). Index
  // updates that move a key are charged as a delete and a put, so half of the submission's gsi2 units
  // are the delete on the draft key.
  const intake = run.steps.filter((s) => s.phase === 'intake');
  const isSubmit = (s: StepRecord) => s.step.startsWith('submit');
  const beforeSubmit = intake.filter((s) => !isSubmit(s));
  const submit = intake.filter(isSubmit);
  const sum = (steps: StepRecord[], target: string) => steps.reduce((n, s) => n + indexUnits(s, target), 0);
  const hotKeys: HotKey[] = [
    {
      key: `WINDOW#${run.windowId}#draft`,
      target: 'cases/gsi2-summary',
      phase: 'intake',
      writeUnitsPerApplication:
        sum(beforeSubmit, 'cases/gsi2-summary') + sum(submit, 'cases/gsi2-summary') / 2,
    },
    {
      key: `WINDOW#${run.windowId}#submitted`,
      target: 'cases/gsi2-summary',
      phase: 'intake',
      writeUnitsPerApplication: sum(submit, 'cases/gsi2-summary') / 2,
    },
    {
      key: `DEPT#${run.departmentId}#submitted`,
      target: 'cases/gsi3-summary',
      phase: 'intake',
      writeUnitsPerApplication: sum(submit, 'cases/gsi3-summary'),
    },
  ];
  return { source, matterCode: run.matterCode, phases, hotKeys };
}
