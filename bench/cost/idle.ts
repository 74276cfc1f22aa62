import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startAttributedStack } from './attributed-stack';
import { instrumentDynamoDb, Meter, originStore } from './meter';
import { loadPrices, type PriceTable } from './pricing';

/**
 * The idle profile of bench:cost: a case nobody touches after acceptance (abandoned), and a case paused
 * for a supplement that never comes, each over one virtual year on a fast clock, through the whole local
 * stack. What the year costs: the states its executions entered (the successor included), the workflow's
 * Lambda invocations and DynamoDB units, the alerts raised. The clock is process-wide, so this runs in its
 * own process (bench/cost/idle-main.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API.
type Json = Record<string, any>;

export interface IdleCaseYear {
  profile: 'abandoned' | 'paused';
  description: string;
  caseId: string;
  /** Executions that ran the case during the year, oldest first (the successors are `<id>-g<n>`). */
  executions: string[];
  stateTransitions: number;
  /** Task states entered that invoke the workflow function. */
  taskInvocations: number;
  /** Successors started (the startExecution task). */
  successorsStarted: number;
  dynamoDb: { writeUnits: number; readUnits: number };
  alertsRaised: string[];
  usd: { stepFunctions: number; lambda: number; dynamoDb: number; eventBridge: number; total: number };
}

export interface IdleResults {
  measuredAt: string;
  clockSpeed: number;
  virtualDays: number;
  /** What one wake a day (the timer before this change: 3 transitions each) would have cost in a year. */
  dailyWakeTransitions: number;
  cases: IdleCaseYear[];
}

const day = 86_400_000;
const year = 365 * day;
/** A virtual year in about 32 s; a request of 20 ms is about 6 virtual hours. */
const clockSpeed = 1_000_000;
const workflowInvocationMs = 100;
const workflowMemoryMb = 512;
const lambdaTasks = new Set(['CheckDeadlines', 'AwaitHumanStep', 'MarkAttention']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function priceYear(
  counts: { transitions: number; invocations: number; writeUnits: number; readUnits: number; alerts: number },
  table: PriceTable,
) {
  const p = table.prices;
  const stepFunctions = counts.transitions * p.stepFunctionsStandardTransition.usd;
  const lambda =
    counts.invocations * p.lambdaRequest.usd +
    ((counts.invocations * workflowInvocationMs * workflowMemoryMb) / 1024 / 1000) * p.lambdaArmGbSecond.usd;
  const dynamoDb =
    counts.writeUnits * p.dynamoDbWriteRequestUnit.usd + counts.readUnits * p.dynamoDbReadRequestUnit.usd;
  // Each alert goes through the alerts pipe onto its bus.
  const eventBridge = counts.alerts * (p.eventBridgePipeRequest.usd + p.eventBridgeCustomEvent.usd);
  return {
    stepFunctions,
    lambda,
    dynamoDb,
    eventBridge,
    total: stepFunctions + lambda + dynamoDb + eventBridge,
  };
}

export async function measureIdleCases(options: { log?: (line: string) => void } = {}): Promise<IdleResults> {
  const log = options.log ?? (() => undefined);
  const prices = loadPrices();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-idle-'));
  const { openLocalIssuer } = await import('../../infra/local/issuer');
  const stack = await startAttributedStack({ dataDir, clockSpeed, stage: 'bench-idle' });
  originStore.enterWith('bench');
  const sfn = new SFNClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_SFN,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const machineArn = stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN ?? '';
  try {
    const { dynamoDb } = await import('../../functions/shared/clients/dynamodb');
    const { clock } = await import('../../functions/shared/clock');
    const meter = new Meter();
    instrumentDynamoDb(dynamoDb, meter);
    const issuer = await openLocalIssuer(dataDir);
    const clerk = await issuer.sign({ role: 'clerk', sub: 'clerk-3', windowId: 'window-3' });

    const call = async (token: string, method: string, route: string, body?: unknown): Promise<Json> => {
      const response = await fetch(`${stack.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${text}`);
      return text ? (JSON.parse(text) as Json) : {};
    };

    /** A counter case of YJ-0001 at window 3 (entrusted), its materials uploaded, accepted. */
    const acceptedCase = async (name: string): Promise<Json> => {
      let record = await call(clerk, 'POST', '/cases', {
        matterCode: 'YJ-0001',
        applicant: { kind: 'person', name, idNumber: '11010519491231002X', phone: '13912345678' },
      });
      for (const material of record.matter.materials.filter((m: Json) => m.required)) {
        const bytes = Buffer.from(`%PDF-1.4\n% ${material.id}\n%%EOF\n`);
        const base = `/cases/${record.caseId}/materials/${material.id}`;
        const requested = await call(clerk, 'POST', `${base}/uploads`, {
          fileName: `${material.id}.pdf`,
          contentType: 'application/pdf',
          size: bytes.byteLength,
        });
        const put = await fetch(requested.upload.url, {
          method: 'PUT',
          headers: requested.upload.headers,
          body: bytes,
        });
        if (!put.ok) throw new Error(`upload ${material.id}: ${put.status}`);
        record = await call(clerk, 'POST', `${base}/confirm`, {
          version: record.version,
          uploadId: requested.uploadId,
          sha256: sha256(bytes),
        });
      }
      record = await call(clerk, 'POST', `/cases/${record.caseId}/submit`, { version: record.version });
      return call(clerk, 'POST', `/cases/${record.caseId}/accept`, {
        version: record.version,
        reviewChecks: record.matter.reviewPoints.map((point: string) => ({ point, passed: true })),
      });
    };

    const executionsOf = async (caseId: string) => {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 1000 }),
      );
      return executions
        .filter((e) => e.name === caseId || e.name?.startsWith(`${caseId}-g`))
        .sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
    };
    const historyOf = async (executionArn: string): Promise<HistoryEvent[]> => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({
            executionArn,
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    };
    /** Waits (real time) until the case's first execution waits on its step. */
    const settled = async (caseId: string) => {
      for (let i = 0; i < 400; i++) {
        const [first] = await executionsOf(caseId);
        if (
          first?.executionArn &&
          (await historyOf(first.executionArn)).some((e) => e.type === 'TaskSubmitted')
        )
          return;
        await sleep(25);
      }
      throw new Error(`the workflow of ${caseId} did not start`);
    };

    /** One virtual year of the case from `from` (virtual ms): what its executions did, then they stop. */
    const measureYear = async (
      profile: IdleCaseYear['profile'],
      description: string,
      caseId: string,
      from: number,
      /** Where the meter stood at `from`. */
      callsBefore: number,
    ): Promise<IdleCaseYear> => {
      while (clock.now() < from + year) await sleep(100);
      const window = meter.calls.slice(callsBefore);
      const calls = window.filter((c) => c.service === 'dynamodb' && c.origin === 'case-workflow');
      const units = (kind: 'read' | 'write') =>
        calls.reduce((n, c) => n + (c.service === 'dynamodb' && c.kind === kind ? c.units : 0), 0);
      const executions = await executionsOf(caseId);
      let transitions = 0;
      let invocations = 0;
      let successors = 0;
      for (const execution of executions) {
        for (const event of await historyOf(execution.executionArn as string)) {
          const at = event.timestamp?.getTime() ?? 0;
          if (at < from || at > from + year || !event.type?.endsWith('StateEntered')) continue;
          transitions++;
          const state = event.stateEnteredEventDetails?.name ?? '';
          if (lambdaTasks.has(state)) invocations++;
          if (state === 'StartSuccessor') successors++;
        }
        if (execution.status === 'RUNNING')
          await sfn.send(
            new StopExecutionCommand({ executionArn: execution.executionArn, cause: 'bench done' }),
          );
      }
      const admin = await issuer.sign({ role: 'admin', sub: 'admin-1' });
      const trail = await call(admin, 'GET', `/cases/${caseId}/trail`);
      // The workflow's raise-alerts events: one change `alerts.<alertId>` per alert raised.
      const alertsRaised: string[] = (trail.items as Json[])
        .filter((e) => e.action === 'raise-alerts' && Date.parse(e.at) >= from)
        .flatMap((e) =>
          (e.changes as Json[])
            .filter((c) => /^alerts\.[^.]+$/.test(c.field))
            .map((c) => String(c.new?.kind)),
        );
      const counts = {
        transitions,
        invocations,
        writeUnits: units('write'),
        readUnits: units('read'),
        alerts: alertsRaised.length,
      };
      const result: IdleCaseYear = {
        profile,
        description,
        caseId,
        executions: executions.map((e) => e.name ?? ''),
        stateTransitions: transitions,
        taskInvocations: invocations,
        successorsStarted: successors,
        dynamoDb: { writeUnits: counts.writeUnits, readUnits: counts.readUnits },
        alertsRaised,
        usd: priceYear(counts, prices),
      };
      log(
        `  ${profile}: ${transitions} transitions, ${invocations} workflow invocations, ${successors} successor(s), ${counts.writeUnits} WRU / ${counts.readUnits} RRU, alerts ${alertsRaised.join(', ') || 'none'}: $${result.usd.total.toFixed(6)} a year`,
      );
      return result;
    };

    log(`idle cases: one virtual year each on a clock ×${clockSpeed}…`);
    const abandoned = await acceptedCase('赵一');
    const abandonedCalls = meter.calls.length;
    await settled(abandoned.caseId);
    const [abandonedExecution] = await executionsOf(abandoned.caseId);
    const abandonedYear = await measureYear(
      'abandoned',
      'YJ-0001 accepted at window 3 (entrusted, handed over) and then left alone: no 接件, no decision',
      abandoned.caseId,
      abandonedExecution?.startDate?.getTime() ?? clock.now(),
      abandonedCalls,
    );

    let paused = await acceptedCase('钱二');
    await settled(paused.caseId);
    const reviewer = await issuer.sign({
      role: 'reviewer',
      sub: 'reviewer-1',
      departmentId: paused.matter.departmentId,
    });
    paused = await call(reviewer, 'POST', `/cases/${paused.caseId}/receipt`, { version: paused.version });
    const materialId = paused.matter.materials.find((m: Json) => m.required)?.id;
    paused = await call(reviewer, 'POST', `/cases/${paused.caseId}/department-supplement`, {
      version: paused.version,
      items: [{ materialId, problem: '复印件不清晰' }],
    });
    const pausedYear = await measureYear(
      'paused',
      'YJ-0001 received by the department, which asks for a supplement (补正) the applicant never brings: the clock stands still',
      paused.caseId,
      clock.now(),
      meter.calls.length,
    );
    return {
      measuredAt: new Date().toISOString(),
      clockSpeed,
      virtualDays: 365,
      dailyWakeTransitions: 3 * 365,
      cases: [abandonedYear, pausedYear],
    };
  } finally {
    sfn.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
