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
