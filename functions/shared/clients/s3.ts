import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { envBoolean, parseEnv } from '../env';
import { traced } from '../tracer';
import { region } from './region';

/**
 * The S3 client, created once per container. Locally (AWS_ENDPOINT_URL_S3) the stand-in needs path-style
 * addressing and checksums only when required, else streamed bodies are stored with chunk framing.
 */
const { S3_FORCE_PATH_STYLE: forcePathStyle } = parseEnv(
  z.object({ S3_FORCE_PATH_STYLE: envBoolean.default(false) }),
);

export const s3 = traced(
  new S3Client({
    region,
    forcePathStyle,
    ...(forcePathStyle
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  }),
);
