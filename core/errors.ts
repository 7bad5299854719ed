/**
 * The closed set of errors the system speaks. Every failure that reaches a caller is one of these
 * codes; adapters translate vendor errors at their boundary (pg 23505 → conflict, gRPC
 * UNAVAILABLE → unavailable, k8s 404 → not_found) so nothing above them sees a vendor error.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  /** Well-formed, but a value the server will not act on (a definition parameter off its pattern). */
  | 'unprocessable'
  | 'unavailable'
  | 'internal';

/** The one table from error code to HTTP status. */
export const httpStatusOf: Readonly<Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 422 | 503 | 500>> =
  Object.freeze({
    invalid_input: 400,
    unauthorized: 401,
    forbidden: 403,
    not_found: 404,
    conflict: 409,
    too_large: 413,
    unprocessable: 422,
    unavailable: 503,
    internal: 500,
  });

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable detail for the caller, e.g. `{ field: 'spec.timeout' }`. */
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const invalidInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('invalid_input', message, details);
export const notFound = (message: string): AppError => new AppError('not_found', message);
export const conflict = (message: string): AppError => new AppError('conflict', message);
export const unavailable = (message: string, cause?: unknown): AppError =>
  new AppError('unavailable', message, undefined, { cause });

/**
 * Anything thrown, as an Error. JavaScript lets code throw strings, numbers and undefined; a job
 * system that logs `undefined` instead of a reason cannot explain a failed job.
 */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(`non-error thrown: ${JSON.stringify(thrown)}`);
  } catch {
    return new Error(`non-error thrown: ${String(thrown)}`);
  }
}

/** An AppError for any thrown value: AppErrors pass through, anything else is `internal`. */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  const err = coerceError(thrown);
  return new AppError('internal', 'internal error', undefined, { cause: err });
}
