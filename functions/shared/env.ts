import * as z from 'zod';

/**
 * Reads configuration from the environment once, validated by a zod schema. A missing or bad variable
 * stops the module from loading with the variable's name in the message, so a misconfigured Lambda
 * fails at init rather than on some later request.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigError(`invalid configuration: ${problems}`);
}

/** `"true"`/`"false"` (and 1/0) from the environment as a boolean. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/**
 * The variables every function shares. Table and bucket names come from CDK (or the local stack);
 * the JWT settings point at Cognito in AWS and at the local issuer locally.
 */
export const baseEnvSchema = z.object({
  STAGE: z.string().min(1).default('local'),
  AWS_REGION: z.string().min(1).default('cn-north-1'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});
