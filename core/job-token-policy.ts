/**
 * What a job token may do. A job gets a token so that it can start and watch its own child jobs,
 * nothing more: it acts with its submitter's role (checked as for any token), and on top of that
 * only on its own family — it reads itself and its children, cancels its children, and submits
 * children that ask for no more than it has. Everything else (tokens, secrets, definitions, blobs,
 * other jobs) is refused, including routes added later: the list here is of what is allowed.
 */
import type { Job } from './job.ts';

/** The routes a job token may call, as method and path pattern; `:id` is a job id. */
export type JobTokenRoute = 'submit' | 'list' | 'read' | 'logs' | 'cancel';

const routes: readonly (readonly [string, RegExp, JobTokenRoute])[] = [
  ['POST', /^\/v1\/jobs\/?$/, 'submit'],
  ['GET', /^\/v1\/jobs\/?$/, 'list'],
  ['GET', /^\/v1\/jobs\/([^/]+)\/?$/, 'read'],
  ['GET', /^\/v1\/jobs\/([^/]+)\/logs\/?$/, 'logs'],
  ['POST', /^\/v1\/jobs\/([^/]+)\/cancel\/?$/, 'cancel'],
];

/**
 * How deep a family may grow: a job submitted by a person is depth 0, its child 1, and so on up
 * to this. A job that submits a copy of itself stops here instead of filling the queue for ever.
 */
export const maxChildJobDepth = 10;

/**
 * How many children one job may submit, over all its attempts, unless the server sets another
 * number (REACTORCIDE_MAX_CHILDREN_PER_JOB). With the depth limit it bounds what one submitted
 * job can put in the queue: a job token in a loop is refused here instead of filling it.
 */
export const defaultMaxChildrenPerJob = 1000;

export const jobTokenScopeMessage =
  'a job token may only submit child jobs, read its own job and its children, and cancel its children';

/** Which allowed route a request is, with the job id it names; null for any other route. */
export function jobTokenRoute(method: string, path: string): { readonly route: JobTokenRoute; readonly jobId?: string } | null {
  for (const [m, pattern, route] of routes) {
    if (m !== method.toUpperCase()) continue;
    const match = pattern.exec(path);
    if (match === null) continue;
    return match[1] === undefined ? { route } : { route, jobId: decodePart(match[1]) };
  }
  return null;
}

/** Whether the token of job `self` may read (itself or a child) or cancel (a child only) `target`. */
export function jobTokenReaches(self: string, target: Pick<Job, 'id' | 'parentId'>, access: 'read' | 'cancel'): boolean {
  if (target.parentId === self) return true;
  return access === 'read' && target.id === self;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
