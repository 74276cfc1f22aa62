import { SFNClient } from '@aws-sdk/client-sfn';
import { region } from './region';

/** The Step Functions client, created once per container (locally: AWS_ENDPOINT_URL_SFN, the runner). */
export const stepFunctions = new SFNClient({ region });
