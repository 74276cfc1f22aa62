/**
 * Error hierarchy shared by every handler. Each error has a stable `code` for programs, a Chinese
 * `message` for people and the HTTP status it maps to. Anything that is not an AppError is a bug and
 * becomes a generic 500 (logged, never shown).
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
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
  constructor(message: string, issues: FieldIssue[], code = 'VALIDATION_FAILED') {
    super(message, { fields: issues });
    this.code = code;
  }
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly code = 'MALFORMED_JSON';
  constructor() {
    super('请求体不是合法的 JSON');
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
  constructor(message = '请求的资源不存在', code = 'NOT_FOUND', details?: unknown) {
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
  constructor(message: string, code = 'CONFLICT', details?: unknown) {
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

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message = '服务暂时不可用,请稍后重试', details?: unknown) {
    super(message, details);
  }
}

/** The body of every unexpected failure: nothing about the cause leaks to the client. */
export const internalErrorBody: ErrorBody = {
  error: { code: 'INTERNAL_ERROR', message: '服务器内部错误,请稍后重试' },
};
