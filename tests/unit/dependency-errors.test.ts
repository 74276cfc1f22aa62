import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asDependencyFailure,
  ConflictError,
  isDependencyFailure,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../functions/shared/errors';

/** Errors shaped as the AWS SDK v3 and Node give them (no SDK import: the mapping is duck-typed). */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from the service`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 3, totalRetryDelay: 250 },
    ...fields,
  });
const socketError = (code: string, address = '127.0.0.1:41234') =>
  Object.assign(new Error(`connect ${code} ${address}`), { code, errno: -111, syscall: 'connect' });

describe('dependency failures map to 503 SERVICE_UNAVAILABLE with Retry-After', () => {
  it.each([
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['ETIMEDOUT', socketError('ETIMEDOUT')],
    ['socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['socket hang up without code', new Error('socket hang up')],
    [
      'SDK TimeoutError',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
    ],
    ['HTTP 500', sdkError('InternalServerError', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['HTTP 503 with an unknown name', sdkError('UnknownError', { $metadata: { httpStatusCode: 503 } })],
    ['$fault server', sdkError('SomethingNew', { $fault: 'server', $metadata: {} })],
    ['ThrottlingException', sdkError('ThrottlingException')],
    ['ProvisionedThroughputExceededException', sdkError('ProvisionedThroughputExceededException')],
    ['RequestLimitExceeded', sdkError('RequestLimitExceeded')],
    ['TooManyRequestsException', sdkError('TooManyRequestsException')],
    ['S3 SlowDown', sdkError('SlowDown', { $metadata: { httpStatusCode: 503 } })],
    ['TransactionInProgressException', sdkError('TransactionInProgressException')],
    ['$retryable throttling', sdkError('Whatever', { $retryable: { throttling: true } })],
    [
      'transaction cancelled by a conflicting transaction',
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    ],
    [
      'AggregateError of refused connections (IPv4 and IPv6)',
      Object.assign(
        new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED', '[::1]:41234')]),
        {
          code: 'ECONNREFUSED',
        },
      ),
    ],
    ['wrapped in a cause', new Error('request failed', { cause: socketError('ECONNRESET') })],
  ])('%s', (_label, error) => {
    expect(isDependencyFailure(error)).toBe(true);
    const mapped = asDependencyFailure(error);
    expect(mapped).toBeInstanceOf(ServiceUnavailableError);
    expect(mapped?.status).toBe(503);
    expect(mapped?.responseHeaders()).toEqual({ 'retry-after': '5' });
    expect(mapped?.toBody()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/服务暂时不可用/) },
    });
    // The cause (host, port, error text) never reaches the body.
    expect(JSON.stringify(mapped?.toBody())).not.toMatch(/ECONN|127\.0\.0\.1|41234|Exception|socket/);
  });
});

describe('other failures are not dependency failures', () => {
  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a failed condition', sdkError('ConditionalCheckFailedException')],
    ['a missing table (configuration)', sdkError('ResourceNotFoundException')],
    ['access denied', sdkError('AccessDeniedException', { $metadata: { httpStatusCode: 403 } })],
    ['a validation error of the service', sdkError('ValidationException')],
    [
      'a transaction cancelled by a condition',
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
      }),
    ],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an application error', new ConflictError('办件已被他人修改', 'VERSION_CONFLICT')],
    ['a not-found', new NotFoundError()],
    ['a validation error', new ValidationError('请求参数有误', [])],
  ])('%s', (_label, error) => {
    expect(isDependencyFailure(error)).toBe(false);
    expect(asDependencyFailure(error)).toBeUndefined();
  });

  it('holds for any client-fault SDK error below 500 that is not throttling', () => {
    const transient =
      /Throttl|ProvisionedThroughput|RequestLimit|TooManyRequests|SlowDown|TransactionInProgress|Internal|ServiceUnavailable|Timeout/;
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][A-Za-z]{2,40}$/).filter((name) => !transient.test(name)),
        fc.integer({ min: 400, max: 499 }),
        (name, httpStatusCode) => {
          expect(isDependencyFailure(sdkError(name, { $metadata: { httpStatusCode } }))).toBe(false);
        },
      ),
    );
  });

  it('holds for any SDK error at or above 500 or with a server fault, whatever its name', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 500, max: 599 }),
        fc.constantFrom<'client' | 'server'>('client', 'server'),
        (name, httpStatusCode, fault) => {
          const error = sdkError(name, { $fault: fault, $metadata: { httpStatusCode } });
          expect(asDependencyFailure(error)?.status).toBe(503);
        },
      ),
    );
  });
});
