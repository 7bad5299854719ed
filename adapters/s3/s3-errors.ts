import { AppError } from '../../core/errors.ts';

const notFoundNames = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const transientNames = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'TimeoutError',
  'ThrottlingException',
  'Throttling',
]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * The one place S3 errors become core/errors.ts codes. Anything that might succeed if tried
 * again (5xx, throttling, a network failure before any status) is `unavailable`; what will not
 * (a missing key, a refused credential) keeps its own code so callers do not retry it.
 */
export function translateS3Error(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : '';
  const status = e.$metadata?.httpStatusCode;
  const opts = { cause: err };
  if (notFoundNames.has(name) || status === 404) return new AppError('not_found', `${what}: not found`, undefined, opts);
  if (status === 401) return new AppError('unauthorized', `${what}: credentials refused`, undefined, opts);
  if (name === 'AccessDenied' || status === 403) return new AppError('forbidden', `${what}: access denied`, undefined, opts);
  if (name === 'AbortError') return new AppError('unavailable', `${what}: aborted`, { aborted: true }, opts);
  if (
    transientNames.has(name) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (typeof e.code === 'string' && networkCodes.has(e.code)) ||
    e.$retryable !== undefined
  ) {
    return new AppError('unavailable', `${what}: object store unavailable (${name || status || 'network'})`, undefined, opts);
  }
  if (status === undefined) {
    // No HTTP status at all means the request never got an answer: a network failure.
    return new AppError('unavailable', `${what}: object store unreachable (${name || 'network'})`, undefined, opts);
  }
  if (status >= 400 && status < 500) return new AppError('invalid_input', `${what}: refused (${name || status})`, undefined, opts);
  return new AppError('internal', `${what}: unexpected object store error`, undefined, opts);
}
