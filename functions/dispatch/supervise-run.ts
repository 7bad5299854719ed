/**
 * One attempt's run, from the moment an executor has it (started here, or reattached after its
 * dispatcher died) to its recorded end: keep the claim alive, let it be cancelled or detached, and
 * settle the attempt (settle-attempt.ts: retried, or the job's end state).
 *
 * A claim that is lost (the heartbeat finds it reclaimed, or cannot extend it before its lease
 * ends: this dispatcher was cut off) means another dispatcher owns the job now, or soon will. This one lets go so the job never runs twice
 * at once: it detaches where the executor can reattach (the new owner follows the same run), and
 * stops the run otherwise (the new owner records that attempt as lost). Either way it records
 * nothing itself.
 */
import { coerceError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { Execution, ExecutionResult } from '../../core/ports/executor.ts';
import type { ClaimedTask } from '../../core/ports/task-queue.ts';
import type { ActiveRun, RunDeps } from './run-claimed-job.ts';
import { endTransition, isPlainEnd, settleAttempt, type AttemptEnd } from './settle-attempt.ts';

export interface SuperviseOptions {
  readonly leaseSeconds: number;
}

export function superviseRun(deps: RunDeps, task: ClaimedTask, job: Job, execution: Execution, options: SuperviseOptions): ActiveRun {
  let claim = task;
  let stopped: 'cancel' | 'shutdown' | undefined;
  let letGo: 'detached' | 'claim lost' | undefined;
  // Heartbeats run one after another: each extend hands out the next fencing token, so two at
  // once would fail one another.
  let beat: Promise<unknown> = Promise.resolve();
  // By this process's clock, when the lease surely ends: from when the last extend that succeeded
  // was sent. A dispatcher that cannot extend before it (cut off from the queue) lets go first,
  // since another may claim the job the moment it ends.
  const everyMs = (options.leaseSeconds * 1000) / 3;
  let leaseEnd = Date.now() + options.leaseSeconds * 1000;
  const heartbeat = setInterval(() => {
    const sent = Date.now();
    beat = beat.then(() => deps.queue.extend(claim, options.leaseSeconds)).then(
      (extended) => {
        claim = extended;
        leaseEnd = sent + options.leaseSeconds * 1000;
      },
      (err: unknown) => {
        const lost = (err as { code?: string }).code === 'not_found' || Date.now() + everyMs >= leaseEnd;
        if (!lost || letGo !== undefined) {
          deps.logger.warn({ err, jobId: job.id }, 'could not extend the claim');
          return;
        }
        letGo = 'claim lost';
        deps.logger.error({ err, jobId: job.id, attempt: job.attempt }, 'the claim of a running job was lost (taken over, or not extended in time); letting go of the run');
        if (execution.detach) execution.detach();
        else execution.cancel();
      },
    );
  }, everyMs);

  // No more heartbeats once the run is over; false if the claim was let go meanwhile.
  const stopBeating = async (): Promise<boolean> => {
    clearInterval(heartbeat);
    await beat;
    return letGo === undefined;
  };
  const lost = (): void => {
    letGo = 'claim lost';
    deps.logger.error({ jobId: job.id, attempt: job.attempt }, 'the run ended after its claim was lost to another dispatcher; not recording it');
  };
  // The last heartbeat before recording the end is the fence: a claim another dispatcher holds
  // now (this one was cut off past its lease) means the end is theirs to record.
  const stillOurs = async (): Promise<boolean> => {
    if (!(await stopBeating())) return false;
    try {
      claim = await deps.queue.extend(claim, options.leaseSeconds);
    } catch (err) {
      if ((err as { code?: string }).code !== 'not_found') return true;
      lost();
    }
    return letGo === undefined;
  };
  // Where the store holds the queue's tasks, a plain end is one write fenced by the claim itself.
  const settle = async (end: AttemptEnd): Promise<void> => {
    if (deps.dispatch.endRun === undefined || !isPlainEnd(job, end)) {
      return (await stillOurs()) ? finish(deps, claim, job, end) : release(deps, claim, letGo);
    }
    if (!(await stopBeating())) return release(deps, claim, letGo);
    if ((await deps.dispatch.endRun(claim, endTransition(job, end))) === 'claim_lost') lost();
  };
  const done = execution.done
    .then(
      async (result) => settle(endOf(result, stopped)),
      async (err: unknown) => {
        if (!(await stillOurs())) return release(deps, claim, letGo);
        // Nobody follows the run any more: stop it, so a retry never runs beside it.
        execution.cancel();
        return finish(deps, claim, job, { state: 'errored', errorReason: `the executor failed: ${coerceError(err).message}` });
      },
    )
    .catch((err: unknown) => deps.logger.error({ err, jobId: job.id }, 'could not record the end of a job'))
    .finally(() => clearInterval(heartbeat));

  const detach = execution.detach?.bind(execution);
  return {
    jobId: job.id,
    done,
    exited: execution.done.then(
      () => undefined,
      () => undefined,
    ),
    cancel(why = 'cancel') {
      stopped ??= why;
      execution.cancel();
    },
    ...(detach
      ? {
          detach() {
            letGo ??= 'detached';
            detach();
          },
        }
      : {}),
  };
}

/**
 * The end of an attempt: settled — retried, or the job's end state. Its job token dies in the
 * same transaction (the database revokes a run's tokens when its job leaves starting or running).
 */
export async function finish(deps: RunDeps, task: ClaimedTask, job: Job, end: AttemptEnd): Promise<void> {
  await settleAttempt(deps, task, job, end);
}

/** Detached: the claim goes back at once, so another dispatcher reattaches to the run. Lost: it is not ours. */
async function release(deps: RunDeps, claim: ClaimedTask, how: 'detached' | 'claim lost' | undefined): Promise<void> {
  if (how === 'detached') await deps.queue.requeue(claim);
}

/**
 * A run stopped because a cancel was asked for is `cancelled`. One stopped because its dispatcher
 * is shutting down is the system's doing, not the user's: `errored`, and retried if the job allows.
 */
function endOf(result: ExecutionResult, stopped: 'cancel' | 'shutdown' | undefined): AttemptEnd {
  const fields = { exitCode: result.exitCode, errorReason: result.reason ?? null, phases: result.phases };
  if (stopped === undefined || result.outcome === 'succeeded') return { state: result.outcome, ...fields };
  if (stopped === 'cancel') return { state: 'cancelled', ...fields };
  return { state: 'errored', ...fields, errorReason: 'the dispatcher running this job was stopped (shut down) before it ended; the run was stopped' };
}
