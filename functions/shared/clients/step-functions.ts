import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../tracer';
import { region } from './region';

/** The Step Functions client, created once per container (locally: AWS_ENDPOINT_URL_SFN, the runner). */
export const stepFunctions = traced(new SFNClient({ region }));
