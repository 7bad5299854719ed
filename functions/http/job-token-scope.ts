import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import { jobTokenReaches, jobTokenRoute, jobTokenScopeMessage } from '../../core/job-token-policy.ts';
import type { JobStore } from '../../core/ports/job-store.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keeps a job token inside its own family of jobs (core/job-token-policy.ts), after
 * authentication and before the route's role check: any route not on the job token's list is
 * 403 — routes added later included — and a route naming a job is 403 unless the job is the
 * token's own (read) or one of its children (read, cancel). A submit whose body carries the token
 * itself is refused too. Other tokens pass untouched.
 */
export function jobTokenScope(jobs: Pick<JobStore, 'get'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const self = c.var.principal.jobId;
    if (self === undefined) return next();
    const match = jobTokenRoute(c.req.method, c.req.path);
    if (match === null) return errorResponse(c, new AppError('forbidden', jobTokenScopeMessage));
    if (match.route === 'submit') {
      // A spec is stored and shown to every reader of the child: the token must not ride along.
      const bearer = /^Bearer +(\S+)/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (bearer !== undefined && (await c.req.text()).includes(bearer)) {
        return errorResponse(c, new AppError('forbidden', 'a job token may not be handed on in a job spec'));
      }
    }
    if (match.route === 'list') {
      const parent = c.req.query('parent');
      if (parent !== undefined && parent !== self) {
        return errorResponse(c, new AppError('forbidden', 'a job token lists only its own children', { field: 'query.parent' }));
      }
    }
    // A malformed id goes on to the route's validation (400); an unknown one to its 404.
    if (match.jobId !== undefined && uuid.test(match.jobId)) {
      const target = await jobs.get(match.jobId);
      if (target !== null && !jobTokenReaches(self, target, match.route === 'cancel' ? 'cancel' : 'read')) {
        const what = match.route === 'cancel' ? 'cancel only its children' : 'read only its own job and its children';
        return errorResponse(c, new AppError('forbidden', `a job token may ${what}`));
      }
    }
    return next();
  };
}
