import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClock } from '../../functions/domain/cases/processing-clock';
import { allRoutes } from '../../functions/registry';
import { caseKey } from '../../functions/workflow/case-keys';
import { workflowTokenSk } from '../../functions/workflow/case-workflow-store';
import { openLocalIssuer } from '../../infra/local/issuer';
import { type LocalStack, startLocalStack } from '../../infra/local/stack';
import { calendarWithout2027, openCase } from '../support/calendar-fixtures';
import { eventually, getJson } from '../support/http';
import { forgeRole, tamper } from '../support/jwks-server';
import { storeCase } from '../support/stored-cases';

/**
 * The whole local stack in this process, as `npm start` runs it: real DynamoDB Local on disk, s3rver,
 * the local Step Functions runner with the deployed ASL, the gateway and the real handlers.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-e2e-'));
let stack: LocalStack;

// Handlers keep the SDK clients and endpoints of their first import (as a Lambda container does), so a
// restart inside this one process reuses the ports; `npm start` restarts are fresh processes anyway.
let ports = { port: 0, dynamoDbPort: 0, s3Port: 0, stepFunctionsPort: 0 };
const portOf = (url: string | undefined) => Number(new URL(String(url)).port);
const start = async () => {
  const started = await startLocalStack({
    ...ports,
    dataDir,
    persistent: true,
    clockSpeed: 1,
    stage: 'e2e',
  });
  ports = {
    port: portOf(started.url),
    dynamoDbPort: portOf(started.env.AWS_ENDPOINT_URL_DYNAMODB),
    s3Port: portOf(started.env.AWS_ENDPOINT_URL_S3),
    stepFunctionsPort: portOf(started.env.AWS_ENDPOINT_URL_SFN),
  };
  return started;
};

const clients = (env: Record<string, string>) => {
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const region = 'cn-north-1';
  return {
    documents: DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region, credentials }),
    ),
    s3: new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region, credentials, forcePathStyle: true }),
    sfn: new SFNClient({ endpoint: env.AWS_ENDPOINT_URL_SFN, region, credentials }),
  };
};

beforeAll(async () => {
  stack = await start();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack over HTTP', () => {
  it('reports every dependency up on GET /health', async () => {
    const { status, body } = await getJson<{
      status: string;
      dependencies: Record<string, { status: string }>;
    }>(`${stack.url}/health`);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.dependencies).sort()).toEqual([
      'dynamodb:cases',
      'dynamodb:catalogue',
      'dynamodb:idempotency',
      's3:catalogue',
      's3:materials',
      's3:results',
      'stepfunctions:case-lifecycle',
    ]);
    expect(Object.values(body.dependencies).every((d) => d.status === 'ok')).toBe(true);
  });

  it('serves a valid OpenAPI 3.1 document generated from the routes, and a docs page', async () => {
    const { status, body } = await getJson<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>(`${stack.url}/openapi.json`);
    expect(status).toBe(200);
    const result = await new Validator().validate(body as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(body.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/health', '/openapi.json', '/docs', '/me']),
    );
    expect(body.paths['/me']?.get).toMatchObject({ security: [{ bearerAuth: [] }] });
    // Every route the API serves is described, with its method.
    for (const route of allRoutes) {
      expect(
        body.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }

    const docs = await fetch(`${stack.url}/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('openapi.json');
  });

  it('accepts a token from the local issuer and refuses a tampered or forged one with 401', async () => {
    const issuer = await openLocalIssuer(dataDir);
    const token = await issuer.sign({ role: 'reviewer', sub: 'r-1', departmentId: 'D-edu' });
    const me = await getJson(`${stack.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId: 'r-1', roles: ['reviewer'], departmentId: 'D-edu' });

    for (const bad of [tamper(token), forgeRole(token)]) {
      const refused = await getJson<{ error: { code: string } }>(`${stack.url}/me`, {
        headers: { authorization: `Bearer ${bad}` },
      });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect((await getJson(`${stack.url}/me`)).status).toBe(401);
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the error format', async () => {
    const missing = await getJson<{ error: { code: string } }>(`${stack.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
    const wrong = await getJson<{ error: { code: string } }>(`${stack.url}/health`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
  });
});

describe('CORS at the local gateway', () => {
  it('answers a browser preflight itself and marks responses for the calling origin', async () => {
    const preflight = await fetch(`${stack.url}/me`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const health = await fetch(`${stack.url}/health`, { headers: { origin: 'http://127.0.0.1:5173' } });
    expect(health.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('restart', () => {
  it('keeps data and resumes an open case from its stored phase', async () => {
    const caseId = 'C-restart-1';
    let aws = clients(stack.env);
    const tables = { cases: stack.env.CASES_TABLE as string, catalogue: stack.env.CATALOGUE_TABLE as string };
    // An accepted case as the case store writes it (head, parts, first trail event), waiting for receipt.
    const { record, event } = openCase(caseId, startClock(calendarWithout2027, '2026-03-02', 5, 10));
    await storeCase(
      aws.documents,
      tables,
      { ...record, matter: { ...record.matter, code: 'ZZ-RESTART' }, phase: 'awaiting-receipt' },
      event,
    );
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: stack.env.MATERIALS_BUCKET,
        Key: `${caseId}/id-card.pdf`,
        Body: '%PDF-1.4 x',
      }),
    );
    await aws.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN,
        name: caseId,
        input: JSON.stringify({ caseId }),
      }),
    );
    const readToken = async () =>
      (
        await aws.documents.send(
          new GetCommand({ TableName: tables.cases, Key: { pk: `CASE#${caseId}`, sk: workflowTokenSk } }),
        )
      ).Item?.taskToken as string | undefined;
    const firstToken = await eventually(readToken);

    await stack.stop();
    stack = await start();
    aws = clients(stack.env);

    // The new process started an execution for the open case; it stored a fresh token for the same phase.
    const secondToken = await eventually(async () => {
      const token = await readToken();
      return token && token !== firstToken ? token : undefined;
    });
    const stale = aws.sfn.send(
      new SendTaskSuccessCommand({ taskToken: firstToken, output: '{"sleepSeconds":1}' }),
    );
    await expect(stale).rejects.toMatchObject({ name: 'TaskTimedOut' });

    const object = await aws.s3.send(
      new GetObjectCommand({ Bucket: stack.env.MATERIALS_BUCKET, Key: `${caseId}/id-card.pdf` }),
    );
    expect(await object.Body?.transformToString()).toBe('%PDF-1.4 x');

    // Complete the step as the API will: write the next phase first, then send the token back.
    await aws.documents.send(
      new UpdateCommand({
        TableName: tables.cases,
        Key: caseKey(caseId),
        UpdateExpression: 'SET phase = :closed REMOVE openPk, openSk',
        ExpressionAttributeValues: { ':closed': 'closed' },
      }),
    );
    await aws.sfn.send(new SendTaskSuccessCommand({ taskToken: secondToken, output: '{"sleepSeconds":1}' }));
    const executionArn = String(stack.env.CASE_LIFECYCLE_STATE_MACHINE_ARN).replace(
      ':stateMachine:',
      ':execution:',
    );
    const finished = await eventually(async () => {
      const execution = await aws.sfn.send(
        new DescribeExecutionCommand({ executionArn: `${executionArn}:${caseId}` }),
      );
      return execution.status === 'RUNNING' ? undefined : execution.status;
    });
    expect(finished).toBe('SUCCEEDED');
  });
});
