import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing (active on every function): each SDK client is wrapped, so every DynamoDB, S3 and Step
 * Functions call is a subsegment of the invocation's trace. Outside Lambda (the local stack, tests) the
 * tracer turns itself off and the clients are left as they are.
 */
export const tracer = new Tracer({ serviceName: 'onewindow' });

export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);
