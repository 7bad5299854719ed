import { notFound } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import type { Deps } from '../deps.ts';
import { actorOf } from './audit-actor.ts';

/**
 * A queued job ends at once; a running one is asked to stop and ends when the dispatcher has
 * stopped it. The first request is audited in the same transaction.
 */
export async function cancelJob(deps: Pick<Deps, 'jobs'>, input: { readonly id: string; readonly principal?: TokenInfo }): Promise<Job> {
  const job = await deps.jobs.requestCancel(input.id, {
    action: 'job.cancel',
    actor: input.principal === undefined ? null : actorOf(input.principal),
    target: { kind: 'job', id: input.id },
  });
  if (job === null) throw notFound(`no job ${input.id}`);
  return job;
}
