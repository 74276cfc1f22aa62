import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { stepFunctions } from '../shared/clients/step-functions';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { countMetric, flushMetrics, MetricUnit, metricNames, metrics } from '../shared/metrics';
import { stepFunctionsExecutionStarter } from './execution-starter';
import { oldestRecordAgeMs, startCaseWorkflows } from './stream-starter';

// Read at init: without the state machine's ARN the function must not load, rather than fail each batch.
// (Named here, not looked up in the registry, so the bundle does not pull in every route.)
const config = parseEnv(z.object({ CASE_LIFECYCLE_STATE_MACHINE_ARN: z.string().startsWith('arn:') }));

const starter = stepFunctionsExecutionStarter(stepFunctions, config.CASE_LIFECYCLE_STATE_MACHINE_ARN);

/**
 * Consumer of the cases table's stream (event source mapping with `reportBatchItemFailures`): starts the
 * lifecycle execution of each newly accepted case; only records whose start failed transiently are
 * reported back, so only those (and the records after them in the shard) are retried.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const records = event.Records ?? [];
  try {
    const response = await startCaseWorkflows(records, starter, logger);
    countMetric(metricNames.workflowStartFailures, response.batchItemFailures.length);
    return response;
  } finally {
    const age = oldestRecordAgeMs(records, Date.now());
    if (age !== undefined) metrics().addMetric(metricNames.streamRecordAge, MetricUnit.Milliseconds, age);
    flushMetrics();
  }
};
