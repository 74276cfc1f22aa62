/** A Step Functions API error: HTTP 400 with `{"__type": code, "message": ...}`, which client-sfn maps to `error.name`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string) => new ApiError('ValidationException', message);
