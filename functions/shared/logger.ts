import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Personal data (names, ID numbers, phones, request bodies, tokens) is never
 * passed to the logger: log ids and codes only.
 */
export const logger = new Logger({
  serviceName: 'onewindow',
  logLevel: (process.env.LOG_LEVEL as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | undefined) ?? 'INFO',
});
