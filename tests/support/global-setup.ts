import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { freePort } from '../../infra/local/ports';
import { type S3Local, startS3Local } from '../../infra/local/s3-local';

/**
 * Starts the real local stand-ins once for the whole run, on random free ports (two runs never
 * collide): DynamoDB Local in memory and s3rver in a temporary folder. Tests get their endpoints via
 * `inject` (see test-env.ts) and create their own uniquely named tables and buckets.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    s3Endpoint: string;
  }
}

let dynamo: DynamoDbLocal | undefined;
let s3: S3Local | undefined;
let s3Directory: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  s3Directory = mkdtempSync(path.join(os.tmpdir(), 'onewindow-s3-'));
  [dynamo, s3] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startS3Local({ port, directory: s3Directory as string })),
  ]);
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
}

export async function teardown(): Promise<void> {
  await Promise.allSettled([dynamo?.stop(), s3?.stop()]);
  if (s3Directory) rmSync(s3Directory, { recursive: true, force: true });
}
