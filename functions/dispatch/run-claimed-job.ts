/**
 * One claimed task, from claim to the job's end state: start the job only if it is still queued
 * (compare-and-set), hand it to the executor, keep the claim alive, append its log records as
 * they come, and record how it ended. A claim of a job that is already starting or running means
 * the dispatcher that ran it stopped heartbeating (its lease ran out): that run is lost, and the
 * job ends `errored` with the reason rather than staying `running` for ever.
 */
import { coerceError } from '../../core/errors.ts';
import type { TerminalState } from '../../core/job-state.ts';
import type { DispatchStore } from '../../core/ports/dispatch-store.ts';
import type { Execution, ExecutionResult, Executor } from '../../core/ports/executor.ts';
import type { JobStore } from '../../core/ports/job-store.ts';
import type { LogStore } from '../../core/ports/log-store.ts';
import type { ClaimedTask, TaskQueue } from '../../core/ports/task-queue.ts';
import type { Logger } from '../deps.ts';
import { executionSpecOf } from './execution-spec.ts';

export interface RunDeps {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly dispatch: DispatchStore;
  readonly queue: TaskQueue;
  readonly executor: Executor;
  readonly logger: Logger;
}

export interface ActiveRun {
  readonly jobId: string;
  /** Settles once the job's end state is recorded (or recording it failed and was logged). */
  readonly done: Promise<void>;
  cancel(): void;
}

export async function runClaimedJob(
  deps: RunDeps,
  task: ClaimedTask,
  options: { readonly dispatcherId: string; readonly leaseSeconds: number },
): Promise<ActiveRun | null> {
  const job = await deps.dispatch.startRun(task.jobId, options.dispatcherId);
  if (job === null) {
    await dropStaleClaim(deps, task);
    return null;
  }
  let execution: Execution;
  try {
    execution = deps.executor.start(executionSpecOf(job), { onRecords: (records) => deps.logs.append(job.id, records).then(() => undefined) });
  } catch (err) {
    await finish(deps, task, job.id, 'errored', { errorReason: `could not start: ${coerceError(err).message}` });
    return null;
  }
  await deps.jobs.transition(job.id, { to: 'running' }).catch((err: unknown) => deps.logger.warn({ err, jobId: job.id }, 'could not record running'));

  let claim = task;
  let cancelled = false;
  const heartbeat = setInterval(() => {
    deps.queue.extend(claim, options.leaseSeconds).then(
      (extended) => (claim = extended),
      (err: unknown) => deps.logger.warn({ err, jobId: job.id }, 'could not extend the claim'),
    );
  }, (options.leaseSeconds * 1000) / 3);

  const done = execution.done
    .then(
      (result) => finish(deps, claim, job.id, endState(result, cancelled), fields(result)),
      (err: unknown) => finish(deps, claim, job.id, 'errored', { errorReason: `the executor failed: ${coerceError(err).message}` }),
    )
    .catch((err: unknown) => deps.logger.error({ err, jobId: job.id }, 'could not record the end of a job'))
    .finally(() => clearInterval(heartbeat));

  return {
    jobId: job.id,
    done,
    cancel() {
      cancelled = true;
      execution.cancel();
    },
  };
}

function endState(result: ExecutionResult, cancelled: boolean): TerminalState {
  if (cancelled && result.outcome !== 'succeeded') return 'cancelled';
  return result.outcome;
}

function fields(result: ExecutionResult): { exitCode: number | null; errorReason: string | null; phases: ExecutionResult['phases'] } {
  return { exitCode: result.exitCode, errorReason: result.reason ?? null, phases: result.phases };
}

async function finish(
  deps: RunDeps,
  task: ClaimedTask,
  jobId: string,
  to: TerminalState,
  extra: { exitCode?: number | null; errorReason?: string | null; phases?: ExecutionResult['phases'] },
): Promise<void> {
  await deps.jobs.transition(jobId, { to, ...extra }).catch((err: unknown) => {
    // Already ended (a cancel that raced the end): the first end state stands.
    if ((err as { code?: string }).code !== 'conflict') throw err;
  });
  await deps.queue.complete(task);
}

/** The claim's job is not queued: a duplicate task, a cancelled job, or a run whose dispatcher died. */
async function dropStaleClaim(deps: RunDeps, task: ClaimedTask): Promise<void> {
  const current = await deps.jobs.get(task.jobId);
  if (current && (current.state === 'starting' || current.state === 'running')) {
    deps.logger.warn({ jobId: task.jobId }, 'claimed a job that was running: its dispatcher stopped; the run is lost');
    await finish(deps, task, task.jobId, 'errored', {
      errorReason: 'the dispatcher running this job stopped before it ended (its claim ran out); the run was lost',
    });
    return;
  }
  await deps.queue.complete(task);
}
