import { inject } from 'vitest';

/**
 * Points the SDK at the stand-ins started by global-setup.ts before any test imports a handler
 * (handlers read their configuration once, at import).
 */
process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoDbEndpoint');
process.env.AWS_ENDPOINT_URL_S3 = inject('s3Endpoint');
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_REGION = 'cn-north-1';
process.env.S3_FORCE_PATH_STYLE = 'true';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
// EMF lines on stdout in every test's output would drown it: the metrics test turns them on for itself.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
