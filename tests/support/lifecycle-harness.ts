import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { vi } from 'vitest';
import type { AlertItem, CaseStore } from '../../functions/cases/case-store';
import { dynamoCaseStore } from '../../functions/cases/case-store';
import { pinnedMatterDetails } from '../../functions/cases/matter-details';
import { type CaseDeps, caseUseCases } from '../../functions/cases/use-cases';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { loadSeedCatalogue } from '../../functions/catalogue/seed/load-seed';
import { taoshanSeed } from '../../functions/catalogue/seed/taoshan-seed';
import { publishedSchedules } from '../../functions/domain/calendar/schedules';
import { workingDayCalendar } from '../../functions/domain/calendar/working-days';
import { type AlertPolicy, defaultAlertPolicy } from '../../functions/domain/cases/alerts';
import type { CaseRecord } from '../../functions/domain/cases/model';
import type { Principal } from '../../functions/domain/principal';
import { pdfRendererFromFile } from '../../functions/issuance/pdf-renderer';
import { defaultFontPath } from '../../functions/issuance/renderer';
import { dynamoResultRegistry } from '../../functions/issuance/result-registry';
import { issuanceUseCases } from '../../functions/issuance/use-cases';
import type { Clock } from '../../functions/shared/clock';
import { objectStorage } from '../../functions/shared/object-storage';
import { catalogueClerkQualifications } from '../../functions/staff/clerk-qualifications';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { caseKey } from '../../functions/workflow/case-keys';
import {
  type CaseWorkflowStore,
  dynamoCaseWorkflowStore,
} from '../../functions/workflow/case-workflow-store';
import { caseWorkflowTasks } from '../../functions/workflow/case-workflow-tasks';
import { stepFunctionsExecutionStarter } from '../../functions/workflow/execution-starter';
import { createWorkflowTaskHandler } from '../../functions/workflow/task-handler';
import { stepFunctionsWorkflowSteps } from '../../functions/workflow/workflow-steps';
import { readAsl, substituteAsl } from '../../infra/definitions/asl';
import { localFunctionArn, localStateMachineArn } from '../../infra/local/lambda-context';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../infra/local/stepfunctions';
import { createTestBuckets, createTestTables, testDocumentClient, testS3 } from './aws';

/**
 * The whole case lifecycle without HTTP: the deployed ASL in the local runner, the real workflow tasks
 * and the real case use cases over DynamoDB Local and s3rver, all on one accelerated virtual clock, so
 * a deadline weeks away is reached in seconds and every party agrees on what "now" is.
 */
export const shanghai = (local: string) => Date.parse(`${local}+08:00`);

export const principals = {
  /** The seed's clerk of the window (`clerk-1` at window-1…), qualified for its departments. */
  clerk: (windowId: string): Principal => ({
    userId: taoshanSeed.clerks.find((c) => c.windowId === windowId)?.userId ?? `clerk-${windowId}`,
    roles: ['clerk'],
    windowId,
  }),
  reviewer: (departmentId: string): Principal => ({
    userId: `reviewer-${departmentId}`,
    roles: ['reviewer'],
    departmentId,
  }),
  chief: (departmentId: string): Principal => ({
    userId: `chief-${departmentId}`,
    roles: ['chief'],
    departmentId,
  }),
};

export interface LifecycleHarness {
  clock: Clock;
  useCases: ReturnType<typeof caseUseCases>;
  issuance: ReturnType<typeof issuanceUseCases>;
  sfn: SFNClient;
  /**
   * A case accepted at its window now (all required materials provided), its workflow started. The
   * first call switches the clock to the accelerated speed: create the cases a test needs first.
   */
  acceptedCase(
    matterCode: string,
    options?: { deferred?: { materialId: string; dueDate: string }[] },
  ): Promise<CaseRecord>;
  read(caseId: string): Promise<CaseRecord>;
  /** Waits until the workflow waits on the step of `phase` (its token stored for that phase). */
  waitingIn(caseId: string, phase: string, timeoutMs?: number): Promise<void>;
  alerts(caseId: string): Promise<AlertItem[]>;
  /** The execution named by `name` (the case id, or a successor's `<id>-g<n>`). */
  execution(name: string): Promise<DescribeExecutionCommandOutput>;
  ended(name: string, timeoutMs?: number): Promise<DescribeExecutionCommandOutput>;
  transitions(): number;
  /** The stores and the state machine, as the operator commands reach them. */
  stores: { cases: CaseStore; workflow: CaseWorkflowStore };
  stateMachineArn: string;
  /** Overwrites attributes of the case item behind the application's back (to stage a fault); returns the stored token. */
  corrupt(caseId: string, attributes: Record<string, unknown>): Promise<string | undefined>;
  stop(): Promise<void>;
}

const applicant = {
  kind: 'person' as const,
  name: '李华',
  idNumber: '11010519491231002X',
  phone: '13912345678',
};

/** The item the workflow keeps its task token in, beside the case's head. */
const tokenKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'WORKFLOW' });

export async function startLifecycleHarness(options: {
  /** Virtual start instant (epoch ms). */
  origin: number;
  /** Virtual ms per real ms. */
  speed: number;
  alertPolicy?: AlertPolicy;
  /** The API's first hand-backs of a token fail (a fault the stand-ins cannot produce). */
  handBackFaults?: number;
}): Promise<LifecycleHarness> {
  const documents = testDocumentClient();
  const tables = await createTestTables();
  const buckets = await createTestBuckets();
  await loadSeedCatalogue(
    dynamoCatalogueStore(documents, tables.catalogue),
    taoshanSeed,
    new Date(options.origin).toISOString(),
    dynamoStaffStore(documents, tables.catalogue),
  );
  // Real time while a case is set up (so that it is accepted at the origin), accelerated once its
  // workflow starts. Nothing waits on the clock before the first execution, so no timer is armed at the
  // old speed.
  let segment = { realStart: Date.now(), virtualStart: options.origin, speed: 1 };
  const clock: Clock = {
    now: () => segment.virtualStart + (Date.now() - segment.realStart) * segment.speed,
    get speed() {
      return segment.speed;
    },
  };
  const accelerate = () => {
    if (segment.speed !== options.speed)
      segment = { realStart: Date.now(), virtualStart: clock.now(), speed: options.speed };
  };
  const calendar = workingDayCalendar(publishedSchedules());
  const alertPolicy = options.alertPolicy ?? defaultAlertPolicy;
  let faults = options.handBackFaults ?? 0;
  const cases = dynamoCaseStore(
    documents,
    { cases: tables.cases, idempotency: tables.idempotency },
    pinnedMatterDetails(dynamoCatalogueStore(documents, tables.catalogue)),
  );
  const store = dynamoCaseWorkflowStore(documents, tables.cases);
  const functionArn = localFunctionArn('case-workflow');
  const machineArn = localStateMachineArn('case-lifecycle');
  const handler = createWorkflowTaskHandler(
    store,
    caseWorkflowTasks({
      store,
      cases,
      calendar: async () => calendar,
      alertPolicy,
      now: clock.now,
    }),
  );
  const runner: LocalStepFunctions = await startLocalStepFunctions({
    clock,
    port: 0,
    lambdaHandlers: { [functionArn]: (event) => handler(event) },
    stateMachines: [
      {
        name: 'case-lifecycle',
        arn: machineArn,
        definition: substituteAsl(readAsl('statemachines/case-lifecycle.asl.json'), {
          CaseWorkflowFunctionArn: functionArn,
        }),
      },
    ],
  });
  const sfn = new SFNClient({
    endpoint: runner.endpoint,
    region: 'cn-north-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const caseDeps: CaseDeps = {
    cases,
    catalogue: dynamoCatalogueStore(documents, tables.catalogue),
    calendar: async () => calendar,
    files: objectStorage(testS3(), buckets.materials, clock.now),
    now: clock.now,
    alertPolicy,
    qualifications: catalogueClerkQualifications(
      documents,
      tables.catalogue,
      dynamoCatalogueStore(documents, tables.catalogue),
    ),
    workflowSteps: {
      complete: async (taskToken, output) => {
        if (faults > 0) {
          faults--;
          throw new Error('Step Functions unreachable');
        }
        await stepFunctionsWorkflowSteps(sfn).complete(taskToken, output);
      },
    },
  };
  const useCases = caseUseCases(caseDeps);
  const issuance = issuanceUseCases({
    ...caseDeps,
    results: objectStorage(testS3(), buckets.results, clock.now),
    renderer: pdfRendererFromFile(defaultFontPath),
    registry: dynamoResultRegistry(documents, tables.cases),
    departments: dynamoCatalogueStore(documents, tables.catalogue),
    verifyUrl: 'http://127.0.0.1/results/verify',
  });
  const starter = stepFunctionsExecutionStarter(sfn, machineArn);
  const executionArn = (caseId: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:${caseId}`;

  const read = async (caseId: string) => {
    const record = await cases.getCase(caseId);
    if (!record) throw new Error(`no case ${caseId}`);
    return record;
  };

  async function provide(clerk: Principal, caseId: string, materialId: string) {
    const bytes = Buffer.from(`%PDF-1.4\n% ${materialId}\n%%EOF\n`);
    const requested = await useCases.requestMaterialUpload(clerk, caseId, materialId, {
      fileName: `${materialId}.pdf`,
      contentType: 'application/pdf',
      size: bytes.byteLength,
    });
    const put = await fetch(requested.upload.url, {
      method: 'PUT',
      headers: requested.upload.headers,
      body: bytes,
    });
    if (put.status !== 200) throw new Error(`upload of ${materialId} failed: ${put.status}`);
    const record = await read(caseId);
    await useCases.confirmMaterial(clerk, caseId, materialId, {
      version: record.version,
      uploadId: requested.uploadId,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  }

  const execution = async (caseId: string) =>
    sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(caseId) }));

  return {
    clock,
    useCases,
    issuance,
    sfn,
    async acceptedCase(matterCode, { deferred } = {}) {
      const head = await dynamoCatalogueStore(documents, tables.catalogue).getHead(matterCode);
      const windowId = head?.assignment?.windowId as string;
      const clerk = principals.clerk(windowId);
      const { record: draft } = await useCases.createCase(clerk, { matterCode, applicant }, undefined);
      const skipped = new Set((deferred ?? []).map((d) => d.materialId));
      for (const material of draft.matter.materials) {
        if (material.required && !skipped.has(material.id)) await provide(clerk, draft.caseId, material.id);
      }
      let record = await read(draft.caseId);
      await useCases.submit(clerk, record.caseId, record.version);
      record = await read(draft.caseId);
      await useCases.accept(clerk, record.caseId, {
        version: record.version,
        reviewChecks: record.matter.reviewPoints.map((point) => ({ point, passed: true })),
        ...(deferred
          ? {
              deferred: {
                items: deferred,
                commitment: { statement: '本人承诺按期补齐容缺材料', signedBy: applicant.name },
              },
            }
          : {}),
      });
      // In AWS the cases table's stream starts it; here the test plays the stream.
      accelerate();
      await starter.start(record.caseId);
      return read(record.caseId);
    },
    read,
    async waitingIn(caseId, phase, timeoutMs = 5_000) {
      await vi.waitFor(
        async () => {
          const [{ Item: head }, { Item: token }] = await Promise.all([
            documents.send(
              new GetCommand({ TableName: tables.cases, Key: caseKey(caseId), ConsistentRead: true }),
            ),
            documents.send(
              new GetCommand({ TableName: tables.cases, Key: tokenKey(caseId), ConsistentRead: true }),
            ),
          ]);
          if (token?.taskTokenPhase !== phase || head?.phase !== phase)
            throw new Error(
              `case ${caseId}: token for ${String(token?.taskTokenPhase)}, phase ${String(head?.phase)}`,
            );
        },
        { timeout: timeoutMs, interval: 10 },
      );
    },
    alerts: (caseId) => cases.caseAlerts(caseId),
    execution,
    async ended(caseId, timeoutMs = 10_000) {
      return vi.waitFor(
        async () => {
          const described = await execution(caseId);
          if (described.status === 'RUNNING') throw new Error(`${caseId} still running`);
          return described;
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    transitions: () => runner.stateTransitions(),
    stores: { cases, workflow: store },
    stateMachineArn: machineArn,
    async corrupt(caseId, attributes) {
      const names = Object.keys(attributes);
      await documents.send(
        new UpdateCommand({
          TableName: tables.cases,
          Key: caseKey(caseId),
          UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, attributes[n]])),
        }),
      );
      const { Item } = await documents.send(
        new GetCommand({ TableName: tables.cases, Key: tokenKey(caseId), ConsistentRead: true }),
      );
      return Item?.taskToken as string | undefined;
    },
    async stop() {
      sfn.destroy();
      await runner.stop();
    },
  };
}
