import { notFound } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { Deps } from '../deps.ts';

/** A queued job ends at once; a running one is asked to stop and ends when the dispatcher has stopped it. */
export async function cancelJob(deps: Pick<Deps, 'jobs'>, input: { readonly id: string }): Promise<Job> {
  const job = await deps.jobs.requestCancel(input.id);
  if (job === null) throw notFound(`no job ${input.id}`);
  return job;
}
