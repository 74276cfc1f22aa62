import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { bucketIds } from '../../infra/definitions/buckets';
import { tableIds } from '../../infra/definitions/tables';
import { dynamoDb } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { stepFunctions } from '../shared/clients/step-functions';
import { parseEnv } from '../shared/env';
import { bucketName, tableName } from '../shared/resources';
import { stateMachineDefinitions } from '../state-machines';
import type { DependencyProbe } from './health';

// Read at init, so a missing name stops the function from loading rather than failing a probe.
const stateMachineArns = parseEnv(
  z.object(
    Object.fromEntries(stateMachineDefinitions.map((sm) => [sm.arnEnvName, z.string().startsWith('arn:')])),
  ),
) as Record<string, string>;
const tables = tableIds.map((id) => ({ id, name: tableName(id) }));
const buckets = bucketIds.map((id) => ({ id, name: bucketName(id) }));

/** One probe per table, bucket and state machine the service uses: cheap control-plane reads. */
export const dependencyProbes: DependencyProbe[] = [
  ...tables.map(({ id, name }) => ({
    name: `dynamodb:${id}`,
    check: async () => {
      await dynamoDb.send(new DescribeTableCommand({ TableName: name }));
    },
  })),
  ...buckets.map(({ id, name }) => ({
    name: `s3:${id}`,
    check: async () => {
      await s3.send(new HeadBucketCommand({ Bucket: name }));
    },
  })),
  ...stateMachineDefinitions.map((sm) => ({
    name: `stepfunctions:${sm.id}`,
    check: async () => {
      await stepFunctions.send(
        new DescribeStateMachineCommand({ stateMachineArn: stateMachineArns[sm.arnEnvName] }),
      );
    },
  })),
];
