import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { functionDefinitions, stateMachineDefinitions } from '../../functions/registry';
import { createClock } from '../../functions/shared/clock';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { readAsl, repoRoot, substituteAsl } from '../definitions/asl';
import { type BucketId, bucketEnvName, bucketIds } from '../definitions/buckets';
import { type TableId, tableEnvName, tableIds } from '../definitions/tables';
import type { ApiThrottle } from '../definitions/throttle';
import { acquireDataLock } from './data-lock';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { type ApiHandler, type Gateway, startGateway } from './gateway/http-gateway';
import {
  localAudience,
  localDiscoveryDocument,
  localDiscoveryPath,
  localIssuer,
  localJwksPath,
  openLocalIssuer,
} from './issuer';
import { localFunctionArn, localPartition, localRegion, localStateMachineArn } from './lambda-context';
import { clockEnv, resumeClock, saveClock } from './local-clock';
import { assertPortFree, freePort, loopback } from './ports';
import { provisionBuckets, provisionTables } from './provision';
import { type S3Local, startS3Local } from './s3-local';
import { type ScheduledFunction, startLocalScheduler } from './scheduler';
import { type LocalLambdaHandler, type LocalStepFunctions, startLocalStepFunctions } from './stepfunctions';
import { type LocalStreams, type StreamHandler, startLocalStreams } from './streams';

/**
 * The whole backend on one machine: DynamoDB Local, the S3 stand-in, the local Step Functions runner
 * executing the deployed ASL files, and the HTTP gateway in front of the same handlers that run in
 * Lambda. Used by `npm start` and by the end-to-end tests.
 */
export interface LocalStackOptions {
  /** Gateway port; 0 picks a free one. */
  port: number;
  dynamoDbPort: number;
  s3Port: number;
  stepFunctionsPort: number;
  /** Folder for data that survives restarts; undefined keeps DynamoDB in memory and S3 in a temp folder. */
  dataDir: string;
  persistent: boolean;
  clockSpeed: number;
  stage?: string;
  /** The gateway's stage throttling (429 with `Retry-After`), e.g. `defaultApiThrottle`; none: unlimited. */
  throttle?: ApiThrottle;
  /** Requests the gateway hands to functions at once (503 with `Retry-After` beyond); none: unlimited. */
  maxInFlight?: number;
  /** Called once per service as it comes up (and again when DynamoDB Local had to be restarted). */
  onReady?: (service: string, detail: string) => void;
  /**
   * Called once the stack has stopped itself because a stand-in died and could not be brought back
   * (`npm start` exits 1 with its message); default: the message on stderr.
   */
  onFatal?: (error: Error) => void;
}

export interface LocalStack {
  url: string;
  env: Record<string, string>;
  /** The table stream consumers as started; `onEvent` observes what the pipes put on the event buses. */
  streams: LocalStreams;
  /**
   * Stops the stream consumers, or starts them again as at start: after the last record each processed on
   * a persistent stack, from the latest record of each shard otherwise.
   * They poll DynamoDB Local in this process: a bulk load or a burst read back would take its CPU, which
   * in AWS the stream reads do not (the peak benchmark pauses them).
   */
  pauseStreams(): Promise<void>;
  resumeStreams(): Promise<void>;
  /** The DynamoDB Local Java process now serving (it changes when the stack restarts it). */
  dynamoDbPid(): number;
  stop(): Promise<void>;
}

const resolvePort = async (port: number) => (port === 0 ? freePort() : port);

export function localResourceNames(stage: string) {
  const prefix = `onewindow-${stage}`;
  return {
    tables: Object.fromEntries(tableIds.map((id) => [id, `${prefix}-${id}`])) as Record<TableId, string>,
    buckets: Object.fromEntries(bucketIds.map((id) => [id, `${prefix}-${id}`])) as Record<BucketId, string>,
    functionName: (id: string) => `${prefix}-${id}`,
    stateMachineName: (id: string) => `${prefix}-${id}`,
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stage = options.stage ?? 'local';
  const names = localResourceNames(stage);
  const [port, dynamoDbPort, s3Port, stepFunctionsPort] = (await Promise.all(
    [options.port, options.dynamoDbPort, options.s3Port, options.stepFunctionsPort].map(resolvePort),
  )) as [number, number, number, number];
  // One stack per data folder: a second one would resume every open case in its own runner. Checked
  // first, so a second start on the same ports is told who owns the folder, not that a port is taken.
  const lock = options.persistent
    ? acquireDataLock(options.dataDir, {
        gateway: port,
        dynamodb: dynamoDbPort,
        s3: s3Port,
        stepfunctions: stepFunctionsPort,
      })
    : undefined;
  if (lock?.tookOver) {
    const { pid, startedAt } = lock.tookOver;
    options.onReady?.(
      'data',
      `${options.dataDir}: the previous run did not stop cleanly (pid ${pid}, started ${startedAt}); its lock is taken over`,
    );
  }
  try {
    // Say which port is taken before anything starts, rather than after a half start.
    await assertPortFree(port, 'HTTP gateway');
    await assertPortFree(stepFunctionsPort, 'Step Functions runner');
  } catch (error) {
    lock?.release();
    throw error;
  }

  const clockSettings = resumeClock(options.persistent ? options.dataDir : undefined, options.clockSpeed);
  const gatewayUrl = `http://${loopback}:${port}`;
  const env: Record<string, string> = {
    STAGE: stage,
    AWS_REGION: localRegion,
    // s3rver accepts only its own default key pair; DynamoDB Local (-sharedDb) and the runner take any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: `http://${loopback}:${dynamoDbPort}`,
    AWS_ENDPOINT_URL_S3: `http://${loopback}:${s3Port}`,
    AWS_ENDPOINT_URL_SFN: `http://${loopback}:${stepFunctionsPort}`,
    S3_FORCE_PATH_STYLE: 'true',
    // Business metrics are EMF lines on stdout (CloudWatch reads them in AWS); here they would bury the
    // log, so they are off unless asked for with POWERTOOLS_METRICS_DISABLED=false.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    JWT_ISSUER: localIssuer,
    JWT_AUDIENCE: localAudience,
    JWT_DISCOVERY_URL: `${gatewayUrl}${localDiscoveryPath}`,
    // Printed on every result document: where anyone checks it.
    RESULT_VERIFY_URL: `${gatewayUrl}/results/verify`,
    ...clockEnv(clockSettings),
    ...Object.fromEntries(tableIds.map((id) => [tableEnvName(id), names.tables[id]])),
    ...Object.fromEntries(bucketIds.map((id) => [bucketEnvName(id), names.buckets[id]])),
    ...Object.fromEntries(
      stateMachineDefinitions.map((sm) => [
        sm.arnEnvName,
        localStateMachineArn(names.stateMachineName(sm.id)),
      ]),
    ),
  };
  // Handlers read their configuration once, at import: the environment is complete before any is loaded.
  Object.assign(process.env, env);
  const clock = createClock(clockSettings);

  // Run in reverse: the lock goes last, once nothing writes to the folder any more.
  const stops: (() => Promise<void>)[] = lock ? [async () => lock.release()] : [];
  let stopped = false;
  const stopAll = async () => {
    stopped = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const startDynamo = () =>
      startDynamoDbLocal({
        port: dynamoDbPort,
        ...(options.persistent ? { dbPath: path.join(options.dataDir, 'dynamodb') } : {}),
      });
    // The instance serving now: a restart (see the watch below) replaces it.
    let current: DynamoDbLocal | undefined;
    const [dynamo, s3]: [DynamoDbLocal, S3Local] = await Promise.all([
      startDynamo().then((d) => {
        current = d;
        stops.push(async () => current?.stop());
        return d;
      }),
      startS3Local({ port: s3Port, directory: path.join(options.dataDir, 's3') }).then((s) => {
        stops.push(s.stop);
        return s;
      }),
    ]);
    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: localRegion, credentials });
    const s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: localRegion,
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const createdTables = await provisionTables(dynamoClient, names.tables);
    const createdBuckets = await provisionBuckets(s3Client, names.buckets);
    dynamoClient.destroy();
    s3Client.destroy();
    options.onReady?.(
      'dynamodb',
      `${dynamo.endpoint} (DynamoDB Local pid ${dynamo.pid}, ${options.persistent ? 'on disk' : 'in memory'}; tables ${tableIds.length}, created ${createdTables.length})`,
    );
    options.onReady?.(
      's3',
      `${s3.endpoint} (s3rver; buckets ${bucketIds.length}, created ${createdBuckets.length})`,
    );

    const handlers = new Map<string, unknown>();
    for (const fn of functionDefinitions) {
      // A plain path, not a file URL: a test runner then loads the handlers through its own module graph,
      // sharing one instance of each library with the code that imported this module.
      const module = (await import(path.join(repoRoot, fn.entry))) as { handler: unknown };
      handlers.set(fn.id, module.handler);
    }

    const lambdaHandlers: Record<string, LocalLambdaHandler> = {};
    const substitutions: Record<string, string> = {};
    for (const fn of functionDefinitions) {
      const arn = localFunctionArn(names.functionName(fn.id));
      lambdaHandlers[arn] = handlers.get(fn.id) as LocalLambdaHandler;
      if (fn.aslPlaceholder) substitutions[fn.aslPlaceholder] = arn;
    }
    // The partition of the local region, as AWS::Partition fills it in a stage.
    substitutions.Partition = localPartition;
    const stepFunctions: LocalStepFunctions = await startLocalStepFunctions({
      clock,
      port: stepFunctionsPort,
      lambdaHandlers,
      stateMachines: stateMachineDefinitions.map((sm) => ({
        name: names.stateMachineName(sm.id),
        arn: localStateMachineArn(names.stateMachineName(sm.id)),
        definition: substituteAsl(readAsl(sm.aslFile), substitutions),
        // The tags the CDK app puts on every resource.
        tags: { project: 'onewindow', stage },
      })),
    });
    stops.push(stepFunctions.stop);
    options.onReady?.(
      'stepfunctions',
      `${stepFunctions.endpoint} (local runner, ${stateMachineDefinitions.length} state machine(s), clock ×${clock.speed})`,
    );

    if (options.persistent) {
      const timer = setInterval(() => saveClock(options.dataDir, clock.now()), 5_000);
      timer.unref();
      stops.unshift(async () => {
        clearInterval(timer);
        saveClock(options.dataDir, clock.now());
      });
    }

    const { documentClient } = await import('../../functions/shared/clients/dynamodb');
    const { dynamoCatalogueStore } = await import('../../functions/catalogue/catalogue-store');
    const { loadSeedCatalogue } = await import('../../functions/catalogue/seed/load-seed');
    const { taoshanSeed } = await import('../../functions/catalogue/seed/taoshan-seed');
    const seed = await loadSeedCatalogue(
      dynamoCatalogueStore(documentClient, names.tables.catalogue),
      taoshanSeed,
      new Date(clock.now()).toISOString(),
      dynamoStaffStore(documentClient, names.tables.catalogue),
    );
    options.onReady?.(
      'catalogue',
      `${seed.loaded ? 'seeded' : 'kept'} ${seed.windows} windows, ${seed.departments} departments, ${seed.matters} matters (illustrative seed)`,
    );

    // Holiday schedule data files: a year that is new or changed since the last start has its open
    // deadlines recomputed (before any workflow resumes), then is stored.
    const { loadProjectSchedules } = await import('../../functions/calendar/load-project-schedules');
    const schedules = await loadProjectSchedules({
      client: documentClient,
      tables: { catalogue: names.tables.catalogue, cases: names.tables.cases },
      now: clock.now,
    });
    if (schedules.stored.length > 0 || schedules.keptLoaded.length > 0) {
      options.onReady?.(
        'calendar',
        `schedules stored ${schedules.stored.join(', ') || 'none'}; kept admin loads ${schedules.keptLoaded.join(', ') || 'none'}; recomputed ${JSON.stringify(schedules.recomputed ?? {})}`,
      );
    }

    // The stream consumers start before the open cases are resumed. On a data folder that survives
    // restarts each resumes after the last record it processed (records written just before a crash are
    // delivered now, at least once; the consumers are idempotent: the workflow starter names executions by
    // case, alerts and notifications are keyed by their item); a new data folder, or an in-memory stack,
    // reads from LATEST: what the start itself wrote (the seed) is no news.
    const startStreams = () =>
      startLocalStreams({
        endpoint: dynamo.endpoint,
        region: localRegion,
        credentials,
        tableNames: names.tables,
        functions: functionDefinitions
          .filter((fn) => fn.stream)
          .map((fn) => ({
            definition: fn,
            functionName: names.functionName(fn.id),
            handler: handlers.get(fn.id) as StreamHandler,
          })),
        eventBusName: (id) => `onewindow-${stage}-${id}`,
        dataDir: options.dataDir,
        keepPositions: options.persistent,
        now: () => clock.now(),
      });
    let streams: LocalStreams | undefined = await startStreams();
    const pauseStreams = async () => {
      const running = streams;
      streams = undefined;
      await running?.stop();
    };
    stops.push(pauseStreams);

    const scheduled = functionDefinitions.flatMap((fn) =>
      fn.schedule
        ? [
            {
              id: fn.id,
              functionName: names.functionName(fn.id),
              expression: fn.schedule.expression,
              handler: handlers.get(fn.id) as ScheduledFunction['handler'],
            },
          ]
        : [],
    );
    const scheduler = startLocalScheduler({
      functions: scheduled,
      clockSpeed: clock.speed,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    stops.push(scheduler.stop);
    options.onReady?.(
      'scheduler',
      `${scheduled.map((fn) => `${fn.id} ${fn.expression}`).join(', ')} (on the stack clock)`,
    );
    const resumeStreams = async () => {
      if (stopped) return;
      streams ??= await startStreams();
    };
    options.onReady?.('streams', streams.summary);

    // Executions lived in the previous process's memory: start one for each open case again.
    const { resumeOpenCases } = await import('../../functions/workflow/resume-open-cases');
    const { dynamoCaseWorkflowStore } = await import('../../functions/workflow/case-workflow-store');
    const { stepFunctionsExecutionStarter } = await import('../../functions/workflow/execution-starter');
    const { stepFunctions: sfnClient } = await import('../../functions/shared/clients/step-functions');
    const caseLifecycle = stateMachineDefinitions.find((sm) => sm.id === 'case-lifecycle');
    if (caseLifecycle) {
      const summary = await resumeOpenCases(
        dynamoCaseWorkflowStore(documentClient, names.tables.cases),
        stepFunctionsExecutionStarter(sfnClient, env[caseLifecycle.arnEnvName] as string),
      );
      const problems = [
        ...summary.nameTaken.map((caseId) => `${caseId}: execution name already used`),
        ...summary.failed.map(({ caseId, reason }) => `${caseId}: ${reason}`),
      ];
      options.onReady?.(
        'workflow',
        `${summary.running} open case(s) running${problems.length ? `; not resumed: ${problems.join(', ')}` : ''}`,
      );
    }
    // The gateway opens last: its first request finds the catalogue seeded and open cases running.
    const issuer = await openLocalIssuer(options.dataDir);
    const gateway: Gateway = await startGateway({
      port,
      functions: functionDefinitions
        .filter((fn) => fn.routes.length > 0 || fn.defaultRoute)
        .map((fn) => ({
          id: fn.id,
          routes: fn.routes,
          defaultRoute: fn.defaultRoute ?? false,
          handler: handlers.get(fn.id) as ApiHandler,
        })),
      staticJson: {
        [localJwksPath]: issuer.jwks,
        [localDiscoveryPath]: localDiscoveryDocument(gatewayUrl),
      },
      // The stream consumers and scheduled functions, for the operator commands (redrive, check).
      invocable: Object.fromEntries(
        functionDefinitions
          .filter((fn) => fn.stream || fn.schedule)
          .map((fn) => [
            names.functionName(fn.id),
            handlers.get(fn.id) as (event: unknown, context: Context) => Promise<unknown>,
          ]),
      ),
      ...(options.throttle ? { throttle: options.throttle } : {}),
      ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
    });
    stops.push(gateway.stop);
    options.onReady?.('gateway', `${gateway.url} (HTTP API; docs ${gateway.url}/docs)`);

    // A dead DynamoDB Local would leave the stack answering 500s and each stream consumer logging refused
    // connections. It is restarted once on the same data (the tables checked as at start, the consumers
    // resumed where they stopped); if that fails, or it dies again, the whole stack stops with one line.
    let restarted = false;
    const fatal = async (message: string) => {
      await stopAll();
      (options.onFatal ?? ((error: Error) => process.stderr.write(`error: ${error.message}\n`)))(
        new Error(message),
      );
    };
    const recover = async (dead: DynamoDbLocal, detail: string) => {
      // The consumers would only log refused connections until it is back.
      await pauseStreams();
      // Ctrl-C signals the whole process group, the JVM too: its exit then races the stack's own stop.
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (stopped) return;
      const what = `DynamoDB Local (pid ${dead.pid}) exited unexpectedly (${detail})`;
      if (restarted) return fatal(`${what} again after a restart: stopping the stack`);
      restarted = true;
      options.onReady?.('dynamodb', `${what}: restarting it on the same data`);
      let diedAgain = false;
      try {
        const replacement = await startDynamo();
        current = replacement;
        if (stopped) return void (await replacement.stop());
        replacement.onExit((again) => {
          diedAgain = true;
          void recover(replacement, again);
        });
        const client = new DynamoDBClient({
          endpoint: replacement.endpoint,
          region: localRegion,
          credentials,
        });
        const created = await provisionTables(client, names.tables).finally(() => client.destroy());
        await resumeStreams();
        options.onReady?.(
          'dynamodb',
          `${replacement.endpoint} restarted (DynamoDB Local pid ${replacement.pid}; tables ${tableIds.length}, created ${created.length})`,
        );
      } catch (error) {
        // Died again while being checked: its own exit is handled (and ends the stack).
        if (diedAgain || stopped) return;
        await fatal(
          `${what} and could not be restarted (${error instanceof Error ? error.message : String(error)}): stopping the stack`,
        );
      }
    };
    dynamo.onExit((detail) => void recover(dynamo, detail));

    const firstStreams = streams;
    return {
      url: gateway.url,
      env,
      streams: firstStreams,
      pauseStreams,
      resumeStreams,
      dynamoDbPid: () => current?.pid ?? dynamo.pid,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
