import type { MiddlewareHandler } from 'hono';
import { runRequestProblem } from '../definitions/run-request-fields.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

/**
 * Refuses a submit body the bearer's role may not send — for a contributor, any field besides
 * definition, source and params — with 403 naming the field, before the body is validated. The
 * handler checks again (run-request-fields.ts); this only puts the refusal ahead of a 400. A body
 * that is not JSON is left to validation.
 */
export const runRequestGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  let body: unknown;
  try {
    body = await c.req.json<unknown>();
  } catch {
    return next();
  }
  const problem = runRequestProblem(c.var.principal.role, body);
  if (problem !== null && problem.code === 'forbidden') return errorResponse(c, problem);
  return next();
};
