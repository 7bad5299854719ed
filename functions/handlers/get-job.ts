import { notFound } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import { noWait, type JobWait } from '../../core/ports/job-waits.ts';
import type { Deps } from '../deps.ts';

export async function getJob(deps: Pick<Deps, 'jobs' | 'waits'>, input: { readonly id: string }): Promise<Job & JobWait> {
  const job = await deps.jobs.get(input.id);
  if (job === null) throw notFound(`no job ${input.id}`);
  return { ...job, ...(await waitOf(deps, job)) };
}

/** Only a pending job with dependencies or a concurrency group can wait for more than a dispatcher. */
function waitOf(deps: Pick<Deps, 'waits'>, job: Job): Promise<JobWait> | JobWait {
  const pending = job.state === 'queued' || job.state === 'waiting';
  if (deps.waits === undefined || !pending || (job.spec.concurrency === undefined && job.spec.dependsOn.length === 0)) return noWait;
  return deps.waits.of(job.id);
}
