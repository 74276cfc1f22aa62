import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { bucketEnvName, bucketIds } from '../../infra/definitions/buckets';
import { tableEnvName, tableIds } from '../../infra/definitions/tables';
import { stateMachineDefinitions } from '../registry';
import { dynamoDb } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { stepFunctions } from '../shared/clients/step-functions';
import { parseEnv } from '../shared/env';
import type { DependencyProbe } from './health';

const probeEnv = parseEnv(
  z.object(
    Object.fromEntries([
      ...tableIds.map((id) => [tableEnvName(id), z.string().min(1)]),
      ...bucketIds.map((id) => [bucketEnvName(id), z.string().min(1)]),
      ...stateMachineDefinitions.map((sm) => [sm.arnEnvName, z.string().startsWith('arn:')]),
    ]),
  ),
) as Record<string, string>;

/** One probe per table, bucket and state machine the service uses: cheap control-plane reads. */
export const dependencyProbes: DependencyProbe[] = [
  ...tableIds.map((id) => ({
    name: `dynamodb:${id}`,
    check: async () => {
      await dynamoDb.send(new DescribeTableCommand({ TableName: probeEnv[tableEnvName(id)] }));
    },
  })),
  ...bucketIds.map((id) => ({
    name: `s3:${id}`,
    check: async () => {
      await s3.send(new HeadBucketCommand({ Bucket: probeEnv[bucketEnvName(id)] }));
    },
  })),
  ...stateMachineDefinitions.map((sm) => ({
    name: `stepfunctions:${sm.id}`,
    check: async () => {
      await stepFunctions.send(new DescribeStateMachineCommand({ stateMachineArn: probeEnv[sm.arnEnvName] }));
    },
  })),
];
