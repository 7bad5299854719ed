/**
 * A claim whose job could not be started (the compare-and-set found it not queued, or waiting out
 * a retry's backoff):
 * - queued in a concurrency group whose slots are all taken (group-slot.ts): the task goes back.
 * - gone, ended, or queued: a duplicate task, a job cancelled before it ran, or the last attempt's
 *   task of a job waiting to retry (the retry's own task comes from the outbox once it is due). The
 *   claim is completed.
 * - starting or running: the dispatcher that ran it stopped heartbeating and its lease ran out
 *   (a crash, a SIGKILL, a graceful stop that let go of the run). An executor that can reattach
 *   follows the still-running run from where the job's log stops, so nothing runs twice. Otherwise,
 *   or when there is no run to follow, the attempt is lost: it ends `errored` with that reason —
 *   and is retried like any other errored attempt when the job's retry policy allows.
 */
import type { Job } from '../../core/job.ts';
import type { Execution } from '../../core/ports/executor.ts';
import type { ClaimedTask } from '../../core/ports/task-queue.ts';
import { giveBackForSlot, refusedForSlot } from './group-slot.ts';
import type { ActiveRun, RunDeps } from './run-claimed-job.ts';
import { finish, superviseRun, type SuperviseOptions } from './supervise-run.ts';

export async function takeOverClaim(
  deps: RunDeps,
  task: ClaimedTask,
  options: SuperviseOptions & { readonly dispatcherId: string },
): Promise<ActiveRun | null> {
  const current = await deps.jobs.get(task.jobId);
  if (current !== null && refusedForSlot(current)) {
    await giveBackForSlot(deps, task);
    return null;
  }
  if (current === null || (current.state !== 'starting' && current.state !== 'running')) {
    await deps.queue.complete(task);
    return null;
  }
  if (deps.executor.reattach) {
    const job = await deps.dispatch.takeOver(current.id, current.attempt, options.dispatcherId);
    if (job === null) {
      // It moved on while we looked (it ended, or its attempt was settled): nothing to take over.
      await deps.queue.complete(task);
      return null;
    }
    let execution: Execution | null;
    try {
      const resume = await deps.dispatch.resumePoint(job.id);
      execution = await deps.executor.reattach(
        job.id,
        {
          onRecords: (records) =>
            deps.logs.append(job.id, records, { owner: { dispatcherId: options.dispatcherId, attempt: job.attempt } }).then(() => undefined),
        },
        resume ?? undefined,
        job.attempt,
      );
    } catch (err) {
      // The run may well be alive (the cluster API is just unreachable): never call it lost for
      // that. The claim goes back and the dispatcher's loop backs off before the next try.
      await deps.queue.requeue(task).catch(() => undefined);
      throw err;
    }
    if (execution !== null) {
      deps.logger.info({ jobId: job.id, attempt: job.attempt, dispatcher: options.dispatcherId }, 'reattached to a run whose dispatcher stopped');
      if (job.state === 'starting') {
        await deps.jobs.transition(job.id, { to: 'running', attempt: job.attempt }).catch((err: unknown) => deps.logger.warn({ err, jobId: job.id }, 'could not record running'));
      }
      return superviseRun(deps, task, job, execution, options);
    }
    // No run of this attempt exists: its dispatcher stopped before creating it, or it is gone.
  }
  await declareLost(deps, task, current);
  return null;
}

async function declareLost(deps: RunDeps, task: ClaimedTask, job: Job): Promise<void> {
  deps.logger.warn({ jobId: job.id, attempt: job.attempt }, 'claimed a job that was running: its dispatcher stopped; the run is lost');
  const because = 'the dispatcher running this job stopped before it ended (its claim ran out); the run was lost';
  const cancelAsked = job.cancelRequestedAt !== null;
  await finish(deps, task, job, cancelAsked ? { state: 'cancelled', errorReason: `cancel requested, and ${because}` } : { state: 'errored', errorReason: because });
}
