import type { MiddlewareHandler } from 'hono';
import { notFound } from '../../core/errors.ts';
import type { JobStore } from '../../core/ports/job-store.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import { seesEveryJob } from '../../core/roles.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

const jobPath = /^\/v1\/jobs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

/** A contributor's own token, not a job token: it reaches only the jobs it submitted. */
export const seesOwnJobsOnly = (principal: TokenInfo): boolean => !seesEveryJob(principal.role) && principal.jobId === undefined;

/**
 * A contributor reaches only the jobs its own token submitted: status, logs and cancel of any
 * other job are 404, as if it did not exist, so job ids of other people's runs learn nothing.
 * Every route under /v1/jobs/:id is covered, routes added later included. Job tokens have their
 * own scope (job-token-scope.ts); every other role sees every job.
 */
export function contributorJobScope(jobs: Pick<JobStore, 'get'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.var.principal;
    if (!seesOwnJobsOnly(principal)) return next();
    const id = jobPath.exec(c.req.path)?.[1];
    if (id === undefined) return next();
    const job = await jobs.get(id);
    if (job !== null && job.submittedBy !== principal.id) return errorResponse(c, notFound(`no job ${id}`));
    return next();
  };
}
