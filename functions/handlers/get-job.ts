import { notFound } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { Deps } from '../deps.ts';

export async function getJob(deps: Pick<Deps, 'jobs'>, input: { readonly id: string }): Promise<Job> {
  const job = await deps.jobs.get(input.id);
  if (job === null) throw notFound(`no job ${input.id}`);
  return job;
}
