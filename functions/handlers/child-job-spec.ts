import { AppError } from '../../core/errors.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import { defaultMaxChildrenPerJob, maxChildJobDepth } from '../../core/job-token-policy.ts';
import type { Deps } from '../deps.ts';

const refuse = (message: string, field: string): AppError => new AppError('forbidden', message, { field });

const names = (body: unknown, key: string): boolean => typeof body === 'object' && body !== null && Object.hasOwn(body, key);

/**
 * A child job's spec, held to its parent. The bearer is the parent's job token, which carries the
 * parent submitter's role, so every role rule has already applied as to any submit; on top of
 * that a child asks for no more than its parent has:
 * - its queue is the parent's (a queue may stand for a more trusted pool of dispatchers);
 * - its priority is at most the parent's (a priority the body does not name — the default, a
 *   definition's — is lowered to the parent's; one it names above it is refused);
 * - it names only secrets the parent was given;
 * - it waits only on jobs its token can read: the parent itself and the parent's other children;
 * - it is at most `maxChildJobDepth` generations below the job a person submitted;
 * - its parent has fewer than `maxChildren` children so far (counted before the insert, so
 *   submits racing from one job may pass the cap by as many as race).
 * Every refusal is `forbidden`, naming its field where there is one.
 */
export async function childJobSpec(
  deps: Pick<Deps, 'jobs'>,
  parentId: string,
  spec: JobSpec,
  rawBody: unknown,
  maxChildren: number = defaultMaxChildrenPerJob,
): Promise<JobSpec> {
  const parent = await deps.jobs.get(parentId);
  if (parent === null) throw new AppError('unauthorized', 'the job this token belongs to no longer exists');
  await refuseTooDeep(deps, parent.parentId);
  if ((await deps.jobs.countChildren(parentId, maxChildren)) >= maxChildren) {
    throw new AppError('forbidden', `a job may submit at most ${maxChildren} child jobs (REACTORCIDE_MAX_CHILDREN_PER_JOB); this one has reached it`);
  }
  const priority = names(rawBody, 'priority') ? spec.priority : Math.min(spec.priority, parent.priority);
  if (priority > parent.priority) {
    throw refuse(`spec.priority: a child job may not run above its parent's priority (${parent.priority})`, 'spec.priority');
  }
  const queue = names(rawBody, 'queue') ? spec.queue : parent.queue;
  if (queue !== parent.queue) {
    throw refuse(`spec.queue: a child job runs in its parent's queue (${JSON.stringify(parent.queue)})`, 'spec.queue');
  }
  const parentSecrets = new Set(parent.spec.secrets);
  spec.secrets.forEach((name, i) => {
    if (!parentSecrets.has(name)) throw refuse(`spec.secrets[${i}]: the parent job was not given secret ${name}`, `spec.secrets[${i}]`);
  });
  for (const [i, dep] of spec.dependsOn.entries()) {
    if (dep.jobId === parentId) continue;
    const target = await deps.jobs.get(dep.jobId);
    if (target?.parentId !== parentId) {
      throw refuse(`spec.dependsOn[${i}].jobId: a child job may wait only on its parent or its parent's children`, `spec.dependsOn[${i}].jobId`);
    }
  }
  return { ...spec, priority, queue };
}

/** Walks up from the parent; the new child would be one generation below the parent. */
async function refuseTooDeep(deps: Pick<Deps, 'jobs'>, grandparentId: string | null): Promise<void> {
  let depth = 1;
  for (let up = grandparentId; up !== null; up = (await deps.jobs.get(up))?.parentId ?? null) {
    depth++;
    if (depth > maxChildJobDepth) {
      throw new AppError('forbidden', `a child job may be at most ${maxChildJobDepth} generations below the job a person submitted`);
    }
  }
}
