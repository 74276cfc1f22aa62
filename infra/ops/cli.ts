import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoScheduleStore } from '../../functions/calendar/schedule-store';
import { dynamoCaseStore } from '../../functions/cases/case-store';
import { catalogueMatterDetails } from '../../functions/cases/matter-details';
import { dynamoCatalogueStore } from '../../functions/catalogue/catalogue-store';
import { checkOperations } from '../../functions/operations/operations-check';
import { functionDefinitions } from '../../functions/registry';
import { dynamoStaffStore } from '../../functions/staff/staff-store';
import { staffUseCases } from '../../functions/staff/use-cases';
import { dynamoCaseWorkflowStore } from '../../functions/workflow/case-workflow-store';
import { stepFunctionsWorkflowSteps, workflowWaker } from '../../functions/workflow/workflow-steps';
import { localDataDir } from '../local/data-dir';
import { casesInAttention } from './attention';
import { carryOutScheduleLoad, planScheduleLoad } from './load-schedule';
import {
  carryOutRedrive,
  type DeadLetterSource,
  describeOutcome,
  fileDeadLetters,
  lambdaConsumerInvoker,
  planRedrive,
  sqsDeadLetters,
  streamBatchReader,
} from './redrive';
import { carryOutResume, describePlan, planResume } from './resume-case';

/**
 * Operator commands against a stage (`npm run ops -- <command> [--stage dev] [--yes]`): SDK calls with the
 * caller's AWS credentials and region, or against the local stack (`--stage local`, the default, on the
 * ports `npm start` uses). Each prints what it will do; only `--yes` writes.
 *
 *   attention              list the cases the workflow flagged for the centre admin, with the reason
 *   resume <caseId>        start a new execution for an open case whose execution has ended
 *   load-schedule <file>   load a year's holiday schedule (the notice's form, as PUT /calendar/schedules)
 *   redrive                send the stream batches a consumer gave up (its dead letters) to it again
 *   check                  the hourly operations check's figures, now (reads only)
 *   admin <userId> --name  the staff record of a centre admin, for a stage whose roles come from the staff
 *                          records (the first admin cannot be created through the API: nobody is admin yet)
 */
const usage =
  'usage: npm run ops -- <attention | resume <caseId> | load-schedule <file.json> | redrive | check | admin <userId> --name <name>> [--stage local|<stage>] [--yes]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let parsed: ReturnType<
  typeof parseArgs<{
    options: { stage: { type: 'string' }; yes: { type: 'boolean' }; name: { type: 'string' } };
    allowPositionals: true;
  }>
>;
try {
  parsed = parseArgs({
    options: { stage: { type: 'string' }, yes: { type: 'boolean' }, name: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  fail((error as Error).message);
}
const [command, caseId, ...extra] = parsed.positionals;
const stage = parsed.values.stage ?? 'local';
if (!/^[a-z][a-z0-9-]{0,11}$/.test(stage)) fail(`--stage ${stage} is not a stage name`);
if (extra.length > 0) fail(`unexpected ${extra.join(' ')}`);
if (parsed.values.name !== undefined && command !== 'admin') fail('--name is for the admin command only');

const local = stage === 'local';
const localPort = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dynamo = new DynamoDBClient(
  local
    ? {
        endpoint: `http://127.0.0.1:${localPort('DYNAMODB_PORT', 8000)}`,
        region: 'cn-north-1',
        credentials: localCredentials,
      }
    : {},
);
const sfn = new SFNClient(
  local
    ? {
        endpoint: `http://127.0.0.1:${localPort('SFN_PORT', 8083)}`,
        region: 'cn-north-1',
        credentials: localCredentials,
      }
    : {},
);
const lambda = new LambdaClient(
  local
    ? {
        endpoint: `http://127.0.0.1:${localPort('PORT', 3000)}`,
        region: 'cn-north-1',
        credentials: localCredentials,
      }
    : {},
);
const documents = DynamoDBDocumentClient.from(dynamo);
const resourceName = (id: string) => `onewindow-${stage}-${id}`;

async function stateMachineArn(): Promise<string> {
  const wanted = resourceName('case-lifecycle');
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}) }));
    const found = page.stateMachines?.find((machine) => machine.name === wanted);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new Error(`no state machine ${wanted} in this account and region`);
}

const out = (line: string) => process.stdout.write(`${line}\n`);

try {
  if (command === 'attention') {
    if (caseId) fail('attention takes no case id');
    const cases = dynamoCaseStore(
      documents,
      { cases: resourceName('cases'), idempotency: '' },
      catalogueMatterDetails(documents, resourceName('catalogue')),
    );
    const found = await casesInAttention(cases);
    out(`${found.length} case(s) in attention on stage ${stage}`);
    for (const c of found)
      out(`${c.caseId}  ${c.caseNumber ?? '-'}  ${c.matterCode}  flagged ${c.raisedAt}  ${c.reason ?? ''}`);
  } else if (command === 'resume') {
    if (!caseId) fail('resume needs a case id');
    const deps = {
      sfn,
      stateMachineArn: await stateMachineArn(),
      workflow: dynamoCaseWorkflowStore(documents, resourceName('cases')),
    };
    const plan = await planResume(deps, caseId);
    out(describePlan(plan));
    if (plan.action === 'start') {
      if (parsed.values.yes) out(`started ${await carryOutResume(deps, plan)}`);
      else out('nothing written: run again with --yes to do it');
    }
  } else if (command === 'load-schedule') {
    if (!caseId) fail('load-schedule needs a file');
    const deps = {
      client: documents,
      tables: { catalogue: resourceName('catalogue'), cases: resourceName('cases') },
      wakeWorkflow: workflowWaker(
        dynamoCaseStore(
          documents,
          { cases: resourceName('cases'), idempotency: '' },
          catalogueMatterDetails(documents, resourceName('catalogue')),
        ),
        stepFunctionsWorkflowSteps(sfn),
      ),
      now: Date.now,
    };
    const plan = await planScheduleLoad(deps, readFileSync(caseId, 'utf8'));
    for (const line of plan.lines) out(line);
    if (!plan.ok) process.exitCode = 1;
    else if (parsed.values.yes) {
      const { recomputed } = await carryOutScheduleLoad(deps, plan);
      out(
        `loaded ${plan.year}: ${recomputed.examined} open case(s) read, ${recomputed.changed} changed, ${recomputed.failed} failed`,
      );
      if (recomputed.failed > 0) process.exitCode = 1;
    } else out('nothing written: run again with --yes to do it');
  } else if (command === 'redrive') {
    if (caseId) fail('redrive takes no argument');
    const consumers = functionDefinitions.filter((fn) => fn.stream);
    const deadLetters: DeadLetterSource = local
      ? fileDeadLetters(path.join(localDataDir(), 'dead-letters.jsonl'))
      : sqsDeadLetters(
          new SQSClient({}),
          consumers.map((fn) => fn.id),
          (id) => resourceName(`${id}-dlq`),
        );
    const plan = await planRedrive({ deadLetters });
    for (const line of plan.lines) out(line);
    if (plan.batches.length > 0 && !parsed.values.yes) out('nothing written: run again with --yes to do it');
    else if (plan.batches.length > 0) {
      const streams = new DynamoDBStreamsClient(
        local
          ? {
              endpoint: `http://127.0.0.1:${localPort('DYNAMODB_PORT', 8000)}`,
              region: 'cn-north-1',
              credentials: localCredentials,
            }
          : {},
      );
      try {
        const outcomes = await carryOutRedrive(
          {
            deadLetters,
            readBatch: streamBatchReader(streams, await streams.config.region()),
            invoke: lambdaConsumerInvoker(lambda, resourceName),
            consumers,
          },
          plan.batches,
        );
        for (const outcome of outcomes) out(describeOutcome(outcome));
        if (outcomes.some((outcome) => outcome.status !== 'redriven')) process.exitCode = 1;
      } finally {
        streams.destroy();
      }
    }
  } else if (command === 'check') {
    if (caseId) fail('check takes no argument');
    const figures = await checkOperations({
      cases: dynamoCaseStore(
        documents,
        { cases: resourceName('cases'), idempotency: '' },
        catalogueMatterDetails(documents, resourceName('catalogue')),
      ),
      schedules: dynamoScheduleStore(documents, resourceName('catalogue')),
      now: Date.now,
    });
    out(`cases in attention        ${figures.casesInAttention}`);
    out(`open overdue cases        ${figures.openOverdueCases}`);
    out(`alerts escalated to admin ${figures.alertsEscalatedToAdmin}`);
    out(
      `holiday schedule ${figures.nextYear}     ${figures.nextYearScheduleMissing ? 'MISSING: load it with load-schedule' : 'not yet due or known'}`,
    );
  } else if (command === 'admin') {
    const userId = caseId;
    const name = parsed.values.name;
    if (!userId || !name) fail("admin needs the user id (the identity provider's subject) and --name");
    const store = dynamoStaffStore(documents, resourceName('catalogue'));
    const { profile } = await store.standing(userId);
    if (profile) {
      out(
        `${userId} has a staff record already (${profile.role}, ${profile.active ? 'active' : 'inactive'}): nothing to do`,
      );
    } else if (!parsed.values.yes) {
      out(`would create the staff record of ${userId} (${name}) as an active centre admin on stage ${stage}`);
      out('nothing written: run again with --yes to do it');
    } else {
      const staff = staffUseCases({
        staff: store,
        catalogue: dynamoCatalogueStore(documents, resourceName('catalogue')),
        now: Date.now,
      });
      // The operator acts with the account's credentials: the trail names them as the operator.
      const operator = { userId: `operator:${process.env.USER ?? 'unknown'}`, roles: ['admin' as const] };
      await staff.putProfile(operator, userId, { name, role: 'admin', active: true }, 0);
      out(`created the staff record of ${userId} (${name}): centre admin, active`);
    }
  } else fail(command ? `unknown command ${command}` : 'a command is needed');
} catch (error) {
  process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  sfn.destroy();
  dynamo.destroy();
  lambda.destroy();
}
