import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, httpStatusOf, toAppError } from '../../core/errors.ts';
import type { Logger } from '../deps.ts';

/** The one shape every error leaves the API in: `{"error": {"code", "message", "field"?}}`. */
export function errorResponse(c: Context, err: AppError): Response {
  const field = typeof err.details?.['field'] === 'string' ? err.details['field'] : undefined;
  return c.json(
    { error: { code: err.code, message: err.message, ...(field === undefined ? {} : { field }) } },
    httpStatusOf[err.code],
    err.code === 'unauthorized' ? { 'WWW-Authenticate': 'Bearer' } : {},
  );
}

/** `spec.env["A B"]`, `spec.dependsOn[0].jobId`: the path a client can find in its own body. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** The first issue of a failed validation as `invalid_input`, naming the offending field. */
export function validationError(prefix: string, error: ZodError): AppError {
  const issue = error.issues[0];
  if (issue === undefined) return new AppError('invalid_input', `${prefix}: invalid`, { field: prefix });
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const field = fieldPath(prefix, keys.length > 0 ? [...issue.path, keys[0] ?? ''] : issue.path);
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  return new AppError('invalid_input', `${field}: ${message}`, { field });
}

const targetPrefix: Readonly<Record<string, string>> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
};

/** A validation hook for routes; `bodyPrefix` names the body (`spec` for a job spec). */
export function validationHook(bodyPrefix = 'body') {
  // Typed `never` so one hook fits every route's typed response union.
  return (result: { target: string; success: boolean; error?: ZodError }, c: Context): undefined => {
    if (result.success || result.error === undefined) return undefined;
    const prefix = result.target === 'json' ? bodyPrefix : (targetPrefix[result.target] ?? result.target);
    return errorResponse(c, validationError(prefix, result.error)) as never;
  };
}

/**
 * Whatever escapes a route: an AppError keeps its code, Hono's own HTTP errors (malformed JSON,
 * body too large) map onto the closed set, anything else is logged and answered as a bare
 * `internal` with no detail, never a stack trace.
 */
export function onAppError(logger: Logger) {
  return (err: unknown, c: Context): Response => {
    if (err instanceof HTTPException) {
      const code = err.status === 413 ? 'too_large' : err.status === 401 ? 'unauthorized' : err.status < 500 ? 'invalid_input' : 'internal';
      const message = err.status < 500 ? err.message || 'bad request' : 'internal error';
      return errorResponse(c, new AppError(code, message, code === 'invalid_input' ? { field: 'body' } : undefined));
    }
    const appErr = toAppError(err);
    if (appErr.code === 'internal' || appErr.code === 'unavailable') {
      logger.error({ err: appErr.cause ?? appErr, method: c.req.method, path: c.req.path }, appErr.message);
    }
    return errorResponse(c, appErr);
  };
}
