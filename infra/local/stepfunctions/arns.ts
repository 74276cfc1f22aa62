import { ApiError } from './api-errors';

/**
 * The runner's ARNs. A state machine or execution is one resource whatever region a client names, but its
 * ARN is written in the region the request was signed for (the SigV4 credential scope), in that region's
 * partition: a client of `eu-west-1` reads `arn:aws:states:eu-west-1:…`, one of `cn-north-1`
 * `arn:aws-cn:states:cn-north-1:…` — never an ARN that cannot exist, as `arn:aws:states:cn-north-1`.
 * Unsigned requests get the stack's region.
 */
export const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** `AWS4-HMAC-SHA256 Credential=AKID/20300101/eu-west-1/states/aws4_request, …` → `eu-west-1`. */
export function signingRegion(authorization: string | undefined): string | undefined {
  const scope = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/states\/aws4_request/.exec(authorization ?? '');
  return scope?.[1];
}

export interface ArnScope {
  region: string;
  account: string;
}

export const stateMachineArn = ({ region, account }: ArnScope, name: string): string =>
  `arn:${partitionOf(region)}:states:${region}:${account}:stateMachine:${name}`;

export const executionArn = ({ region, account }: ArnScope, machineName: string, name: string): string =>
  `arn:${partitionOf(region)}:states:${region}:${account}:execution:${machineName}:${name}`;

export const roleArn = ({ region, account }: ArnScope, name: string): string =>
  `arn:${partitionOf(region)}:iam::${account}:role/${name}`;

const arnPattern =
  /^arn:(aws|aws-cn|aws-us-gov):states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):([A-Za-z0-9_-]{1,80})(?::([^:]+))?$/;

export interface ParsedArn extends ArnScope {
  kind: 'stateMachine' | 'execution';
  machineName: string;
  executionName: string | undefined;
}

/** Parses a state machine or execution ARN; InvalidArn otherwise (also for a region outside its partition). */
export function parseArn(arn: string): ParsedArn {
  const match = arnPattern.exec(arn);
  const [, partition, region, account, kind, machineName, executionName] = match ?? [];
  const wellFormed =
    match &&
    partition === partitionOf(region as string) &&
    (kind === 'execution') === (executionName !== undefined);
  if (!wellFormed) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  return {
    kind: kind as ParsedArn['kind'],
    region: region as string,
    account: account as string,
    machineName: machineName as string,
    executionName,
  };
}
