/**
 * How an attempt's end is recorded. When its retry policy retries it, the job goes back to
 * `queued` with the next attempt (the ended one joins the job's past attempts, and an outbox row
 * due after the backoff re-enqueues it, all in one transaction); otherwise the end is the job's
 * end state. Either way a system line in the job's log says what happened, and the claim is done.
 * A job only ever reaches a terminal state once: retries happen before it, never after.
 */
import type { Job } from '../../core/job.ts';
import type { TerminalState } from '../../core/job-state.ts';
import type { PhaseTiming } from '../../core/phases.ts';
import type { DispatchStore } from '../../core/ports/dispatch-store.ts';
import type { JobStore, TransitionInput } from '../../core/ports/job-store.ts';
import type { LogStore } from '../../core/ports/log-store.ts';
import type { ClaimedTask, TaskQueue } from '../../core/ports/task-queue.ts';
import type { Logger } from '../deps.ts';
import { backoffMs, shouldRetry } from './retry-policy.ts';

export interface SettleDeps {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly dispatch: DispatchStore;
  readonly queue: TaskQueue;
  readonly logger: Logger;
}

export interface AttemptEnd {
  readonly state: TerminalState;
  readonly exitCode?: number | null;
  /** Already masked. */
  readonly errorReason?: string | null;
  readonly phases?: readonly PhaseTiming[];
}

export async function settleAttempt(
  deps: SettleDeps,
  task: ClaimedTask,
  job: Pick<Job, 'id' | 'attempt' | 'maxAttempts' | 'spec'>,
  end: AttemptEnd,
  random: () => number = Math.random,
): Promise<void> {
  const retry = job.spec.retry;
  if (retry !== undefined && willRetry(job, end)) {
    const delayMs = backoffMs(retry, job.attempt, random());
    const what = `attempt ${job.attempt} of ${retry.maxAttempts} ${end.state}${end.errorReason ? `: ${end.errorReason}` : ''}`;
    const next = `attempt ${job.attempt + 1} starts in ${(delayMs / 1000).toFixed(1)} s`;
    // Written while the job is still this dispatcher's, so it sits between the two attempts' records.
    await note(deps, job.id, `${what}; ${next}`);
    const retried = await deps.dispatch.retryLater({
      jobId: job.id,
      attempt: job.attempt,
      state: end.state,
      exitCode: end.exitCode ?? null,
      errorReason: end.errorReason ?? null,
      phases: end.phases ?? [],
      delayMs,
      taskRef: task.ref,
      reason: `${what}; retry after ${(delayMs / 1000).toFixed(1)} s`,
    });
    if (retried !== null) {
      await deps.queue.complete(task);
      return;
    }
    // A cancel was asked for meanwhile (or the attempt is no longer current): this end is final.
    await note(deps, job.id, `attempt ${job.attempt + 1} will not start: a cancel was asked for`);
  } else if (job.attempt > 1) {
    const exhausted = retry !== undefined && job.attempt >= retry.maxAttempts && shouldRetry({ ...retry, maxAttempts: Infinity }, job.attempt, end.state);
    await note(deps, job.id, `attempt ${job.attempt} of ${job.maxAttempts} ${end.state}${exhausted ? '; no attempts left' : ''}`);
  }
  await deps.jobs
    .transition(job.id, endTransition(job, end))
    .catch((err: unknown) => {
      // Already ended (a cancel that raced the end), or settled by a dispatcher that took the job
      // over: the first end stands.
      if ((err as { code?: string }).code !== 'conflict') throw err;
    });
  await deps.queue.complete(task);
}

/**
 * An end that `settleAttempt` would record as it is: not retried, and with no line of the
 * dispatcher's own to write first (a first attempt). Such an end can be one write
 * (`DispatchStore.endRun`).
 */
export function isPlainEnd(job: Pick<Job, 'attempt' | 'spec'>, end: AttemptEnd): boolean {
  return job.attempt === 1 && !willRetry(job, end);
}

/** Whether the job's retry policy gives this attempt's end another attempt. */
function willRetry(job: Pick<Job, 'attempt' | 'spec'>, end: AttemptEnd): boolean {
  const retry = job.spec.retry;
  return retry !== undefined && shouldRetry(retry, job.attempt, end.state);
}

/** The attempt's end as the job's transition. */
export function endTransition(job: Pick<Job, 'attempt'>, end: AttemptEnd): TransitionInput & { readonly attempt: number } {
  return {
    to: end.state,
    attempt: job.attempt,
    ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}),
    ...(end.errorReason !== undefined ? { errorReason: end.errorReason } : {}),
    ...(end.phases !== undefined ? { phases: end.phases } : {}),
  };
}

/** A line of the dispatcher's own in the job's log; losing it loses no state, so it never fails the end. */
async function note(deps: Pick<SettleDeps, 'logs' | 'logger'>, jobId: string, text: string): Promise<void> {
  await deps.logs
    .append(jobId, [{ ts: new Date().toISOString(), stream: 'system', phase: 'cleanup', text: `reactorcide: ${text}\n` }])
    .catch((err: unknown) => deps.logger.warn({ err, jobId }, 'could not write a line to the job log'));
}
