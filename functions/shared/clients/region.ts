import * as z from 'zod';
import { parseEnv } from '../env';

export const { AWS_REGION: region } = parseEnv(
  z.object({ AWS_REGION: z.string().min(1).default('cn-north-1') }),
);
