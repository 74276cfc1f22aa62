/**
 * Error hierarchy shared by every handler. Each error has a stable `code` for programs, a Chinese
 * `message` for people and the HTTP status it maps to. A failure of a dependency (DynamoDB, S3, Step
 * Functions unreachable, failing or throttling) becomes a 503 the client may retry (`asDependencyFailure`);
 * anything else that is not an AppError is a bug and becomes a generic 500. Neither shows its cause.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * Every stable code the API answers with, by status: the OpenAPI document lists them per response, and the
 * error classes take only these (a new code is added here first, or the code does not compile).
 */
export const errorCodes = {
  400: ['VALIDATION_FAILED', 'MALFORMED_JSON'],
  401: ['UNAUTHENTICATED'],
  403: ['FORBIDDEN'],
  404: [
    'NOT_FOUND',
    'ROUTE_NOT_FOUND',
    'CASE_NOT_FOUND',
    'MATERIAL_NOT_FOUND',
    'UPLOAD_NOT_FOUND',
    'NOTICE_NOT_FOUND',
    'RESULT_NOT_FOUND',
    'WINDOW_NOT_FOUND',
    'DEPARTMENT_NOT_FOUND',
    'MATTER_NOT_FOUND',
    'DRAFT_NOT_FOUND',
    'FILE_NOT_FOUND',
    'STAFF_NOT_FOUND',
    'QUALIFICATION_NOT_FOUND',
    'CONSULTATION_NOT_FOUND',
    'ATTACHMENT_NOT_FOUND',
    'VERSION_NOT_FOUND',
    'MATERIAL_NOT_PROVIDED',
  ],
  405: ['METHOD_NOT_ALLOWED'],
  409: [
    'CONFLICT',
    'VERSION_CONFLICT',
    'REVISION_CONFLICT',
    'IDEMPOTENCY_KEY_REUSED',
    'REQUEST_IN_PROGRESS',
    'CASE_BUSY',
    'CHANGED_BY_SYSTEM',
    'INVALID_CASE_STATUS',
    'INVALID_CASE_PHASE',
    'FILE_NOT_UPLOADED',
    'DEFERRED_MATERIAL_MISSING',
    'SUPPLEMENT_INCOMPLETE',
    'SUPPLEMENT_ROUND_LIMIT',
    'SPECIAL_PROCEDURE_LIMIT',
    'CLOCK_PAUSED',
    'CLOCK_NOT_PAUSED',
    'ALREADY_EXTENDED',
    'NO_PROCESSING_CLOCK',
    'NO_DECISION',
    'NOT_A_COURIER_DELIVERY',
    'RESULT_NOT_ISSUED_ELECTRONICALLY',
    'NO_DRAFT',
    'NO_GUIDE',
    'STAFF_EXISTS',
    'QUALIFICATION_REVOKED',
    'CONSULTATION_STATE',
    'TOO_MANY_FAQS',
  ],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['THROTTLED'],
  500: ['INTERNAL_ERROR'],
  503: ['SERVICE_UNAVAILABLE'],
} as const;
export type ErrorStatus = keyof typeof errorCodes;
export type ErrorCode<S extends ErrorStatus> = (typeof errorCodes)[S][number];

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }

  /** Headers the answer carries besides the body (e.g. Retry-After). */
  responseHeaders(): Record<string, string> {
    return {};
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.applicant.idNumber` or `query.days`. */
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, issues: FieldIssue[], code: ErrorCode<400> = 'VALIDATION_FAILED') {
    super(message, { fields: issues });
    this.code = code;
  }
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly code = 'MALFORMED_JSON';
  constructor(message = '请求体不是合法的 JSON') {
    super(message);
  }
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code = 'UNAUTHENTICATED';
  constructor(message = '未提供有效的身份令牌,请重新登录') {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
  constructor(message = '无权执行此操作', details?: unknown) {
    super(message, details);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code: string;
  constructor(message = '请求的资源不存在', code: ErrorCode<404> = 'NOT_FOUND', details?: unknown) {
    super(message, details);
    this.code = code;
  }
}

export class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly code = 'METHOD_NOT_ALLOWED';
  constructor(allowed: string[]) {
    super('该地址不支持此请求方法', { allowed });
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code: ErrorCode<409> = 'CONFLICT', details?: unknown) {
    super(message, details);
    this.code = code;
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(limitBytes: number) {
    super(`请求体超过 ${limitBytes} 字节的上限`, { limitBytes });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  constructor(expected: string) {
    super(`请求体类型应为 ${expected}`, { expected });
  }
}

/** How long a client should wait before retrying after a 503: long enough for the SDK's own retries to pass. */
export const defaultRetryAfterSeconds = 5;

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  constructor(
    message = '服务暂时不可用,请稍后重试',
    details?: unknown,
    retryAfterSeconds = defaultRetryAfterSeconds,
  ) {
    super(message, details);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  override responseHeaders(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

/** Node's socket and DNS failures: the dependency could not be reached at all. */
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Error names of AWS services (and of the SDK) for a request that may succeed later: throttling left after
 * the SDK's retries, a transaction still in progress, the service itself failing or timing out.
 */
const transientErrorNames = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'TransactionInProgressException',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** TransactionCanceledException reasons that are contention or throttling, not a failed condition. */
const transientCancellationCodes = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

type ErrorLike = Record<string, unknown>;

const asRecord = (value: unknown): ErrorLike | undefined =>
  value !== null && typeof value === 'object' ? (value as ErrorLike) : undefined;

function isTransientCancellation(error: ErrorLike): boolean {
  if (error.name !== 'TransactionCanceledException' || !Array.isArray(error.CancellationReasons))
    return false;
  const codes = error.CancellationReasons.map((reason) => asRecord(reason)?.Code).filter(
    (code) => code !== undefined && code !== 'None',
  );
  return codes.length > 0 && codes.every((code) => transientCancellationCodes.has(String(code)));
}

function isDependencyFailureAt(value: unknown, depth: number): boolean {
  const error = asRecord(value);
  if (!error || depth > 4) return false;
  // Our own errors say what they mean; a 503 among them is already one.
  if (value instanceof AppError) return false;
  if (typeof error.code === 'string' && networkErrorCodes.has(error.code)) return true;
  if (typeof error.message === 'string' && /socket hang up/i.test(error.message)) return true;
  if (typeof error.name === 'string' && transientErrorNames.has(error.name)) return true;
  if (error.$fault === 'server') return true;
  const metadata = asRecord(error.$metadata);
  if (typeof metadata?.httpStatusCode === 'number' && metadata.httpStatusCode >= 500) return true;
  if (asRecord(error.$retryable)?.throttling === true) return true;
  if (isTransientCancellation(error)) return true;
  // The SDK and Node wrap the socket error: AggregateError (one per address tried) or a cause.
  if (Array.isArray(error.errors) && error.errors.some((inner) => isDependencyFailureAt(inner, depth + 1))) {
    return true;
  }
  return isDependencyFailureAt(error.cause, depth + 1);
}

/**
 * Whether an error is a dependency being unreachable, failing or throttling (so the request may succeed
 * later) rather than a bug. Duck-typed on what Node and the AWS SDK put on their errors, so the shared core
 * needs no SDK import.
 */
export const isDependencyFailure = (error: unknown): boolean => isDependencyFailureAt(error, 0);

/** The 503 a dependency failure answers; undefined for anything else. Its cause is never in the body. */
export const asDependencyFailure = (error: unknown): ServiceUnavailableError | undefined =>
  isDependencyFailure(error) ? new ServiceUnavailableError() : undefined;

/** The body of every unexpected failure: nothing about the cause leaks to the client. */
export const internalErrorBody: ErrorBody = {
  error: { code: 'INTERNAL_ERROR', message: '服务器内部错误,请稍后重试' },
};
