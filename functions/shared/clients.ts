import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { envBoolean, parseEnv } from './env';

/**
 * SDK clients, created once per container at module scope. Locally only the endpoints differ
 * (AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN, read by the SDK itself) plus the S3 stand-in's needs:
 * path-style addressing and checksums only when required (else streamed bodies are stored framed).
 */
const clientEnv = parseEnv(
  z.object({
    AWS_REGION: z.string().min(1).default('cn-north-1'),
    S3_FORCE_PATH_STYLE: envBoolean.default(false),
  }),
);

const region = clientEnv.AWS_REGION;

export const dynamoDb = new DynamoDBClient({ region, maxAttempts: 3 });

export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const s3 = new S3Client({
  region,
  forcePathStyle: clientEnv.S3_FORCE_PATH_STYLE,
  ...(clientEnv.S3_FORCE_PATH_STYLE
    ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
    : {}),
});

export const stepFunctions = new SFNClient({ region });
