/**
 * The error vocabulary of pickwise. Every thrown error is an {@link AppError} (or wraps one via `cause`),
 * so that each edge (CLI exit code, HTTP status, job retry) maps it once.
 */

/** Stable error codes, one registry. */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  FILE_REJECTED: 'FILE_REJECTED',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  CONFLICT: 'CONFLICT',
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  UNSUPPORTED_URL: 'UNSUPPORTED_URL',
  JOB_FAILED: 'JOB_FAILED',
  MODEL_FIT_FAILED: 'MODEL_FIT_FAILED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Extra structured context for logs and `--json` output. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** Expected errors are the user's to fix (bad input, unreachable server): logged without a stack, never retried blindly. */
  readonly expected: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(spec: { code: ErrorCode; httpStatus: number; expected: boolean }, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = spec.code;
    this.httpStatus = spec.httpStatus;
    this.expected = spec.expected;
    this.details = options.details;
  }
}

export class ConfigError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.CONFIG_INVALID, httpStatus: 500, expected: true }, message, options);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.VALIDATION_FAILED, httpStatus: 400, expected: true }, message, options);
  }
}

/** A whole landing file is unusable (missing column, empty, wrong delimiter…). The file stays in landing. */
export class FileRejectedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.FILE_REJECTED, httpStatus: 422, expected: true }, message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.NOT_FOUND, httpStatus: 404, expected: true }, message, options);
  }
}

/** A request lacks the credentials its route needs (an API key), or gives ones that are not valid. */
export class UnauthorizedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.UNAUTHORIZED, httpStatus: 401, expected: true }, message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.CONFLICT, httpStatus: 409, expected: true }, message, options);
  }
}

/**
 * Another run holds what this one needs (the warehouse's run lock: an ingest or a feature build). A conflict of the
 * moment, not of the input: the same request succeeds once the other run has finished, so orchestration retries it.
 */
export class BusyError extends ConflictError {}

/** A database, bucket or other server cannot be reached. Retryable. */
export class BackendUnavailableError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.BACKEND_UNAVAILABLE, httpStatus: 503, expected: true }, message, options);
  }
}

export class UnsupportedUrlError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.UNSUPPORTED_URL, httpStatus: 500, expected: true }, message, options);
  }
}

export class JobFailedError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.JOB_FAILED, httpStatus: 500, expected: false }, message, options);
  }
}

/**
 * Training diverged or hit a singular system (non-finite factors, a failed Cholesky). Usually the
 * hyperparameters' fault (too little regularisation, too large a learning rate), hence `expected`.
 */
export class ModelFitError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super({ code: ErrorCode.MODEL_FIT_FAILED, httpStatus: 500, expected: true }, message, options);
  }
}

/** Wraps anything thrown by a dependency into an AppError, keeping AppErrors as they are. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError({ code: ErrorCode.INTERNAL, httpStatus: 500, expected: false }, message, { cause: error });
}
