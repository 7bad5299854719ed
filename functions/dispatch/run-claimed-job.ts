/**
 * One claimed task: start the job's next attempt only if it is still queued and due
 * (compare-and-set), hand it to the executor with a callback that appends its log records as
 * they come (the first batch also records the job `running`), and supervise it to its end
 * (supervise-run.ts: heartbeat, cancel, retry or end state). A claim of a job that could not be
 * started goes to take-over-claim.ts: a job already running there lost its dispatcher, and is
 * reattached to or recorded as a lost attempt.
 */
import { coerceError } from '../../core/errors.ts';
import type { DispatchStore } from '../../core/ports/dispatch-store.ts';
import type { Execution, Executor } from '../../core/ports/executor.ts';
import type { JobStore } from '../../core/ports/job-store.ts';
import type { LogStore } from '../../core/ports/log-store.ts';
import type { ClaimedTask, TaskQueue } from '../../core/ports/task-queue.ts';
import type { Logger } from '../deps.ts';
import { approvalEnd, type ApprovalSource } from './definition-approval.ts';
import { executionSpecOf } from './execution-spec.ts';
import { withSecrets, type SecretSource } from './job-secrets.ts';
import { jobTokenTerms, withJobToken, type JobApi } from './job-token.ts';
import { finish, superviseRun } from './supervise-run.ts';
import { takeOverClaim } from './take-over-claim.ts';

export interface RunDeps {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly dispatch: DispatchStore;
  readonly queue: TaskQueue;
  readonly executor: Executor;
  readonly logger: Logger;
  /** Gives each run a job token and the API URL (jobs that submit jobs); absent, jobs get neither. */
  readonly jobApi?: JobApi;
  /** The secret store and audit log; absent (no master key), a job that names secrets ends `errored`. */
  readonly secrets?: SecretSource;
  /** Definition versions' approval, checked again before a contributor's run starts; absent, such runs end `errored`. */
  readonly approvals?: ApprovalSource;
}

export interface ActiveRun {
  readonly jobId: string;
  /** Settles once the job's end state is recorded (or recording it failed and was logged). */
  readonly done: Promise<void>;
  /** Settles once the run itself is over (the runner gone, its records handed on), before its end is recorded. */
  readonly exited: Promise<void>;
  /** Stop the run: `cancel` (asked for; ends `cancelled`) or `shutdown` (its dispatcher stops; ends `errored`, retryable). */
  cancel(why?: 'cancel' | 'shutdown'): void;
  /** Let go of the run but leave it running, for another dispatcher to reattach (executors that can). */
  detach?(): void;
}

export async function runClaimedJob(
  deps: RunDeps,
  task: ClaimedTask,
  options: { readonly dispatcherId: string; readonly leaseSeconds: number },
): Promise<ActiveRun | null> {
  // With API access, the run's job token is minted in the statement that starts it.
  const started = await deps.dispatch.startRun(task.jobId, options.dispatcherId, deps.jobApi ? jobTokenTerms : undefined);
  if (started === null) return takeOverClaim(deps, task, options);
  const { job, token } = started;
  let execution: Execution;
  try {
    // Before any secret is resolved or the token handed out: a revoked version's waiting runs never
    // start (their token, never used, dies as the run is recorded ended).
    const refused = await approvalEnd(deps.approvals, job);
    if (refused !== null) {
      await finish(deps, task, job, refused);
      return null;
    }
    const spec = withJobToken(deps.jobApi, token, await withSecrets(deps.secrets, job, executionSpecOf(job)));
    // The job is `running` from its run's first records, written with them. Every batch is
    // written only while this dispatcher still runs this attempt (see AppendOptions.owner).
    const owner = { dispatcherId: options.dispatcherId, attempt: job.attempt };
    let running = false;
    execution = deps.executor.start(spec, {
      onRecords: async (records) => {
        await deps.logs.append(job.id, records, running ? { owner } : { owner, running: job.attempt });
        running = true;
      },
    });
  } catch (err) {
    await finish(deps, task, job, { state: 'errored', errorReason: `could not start: ${coerceError(err).message}` });
    return null;
  }
  return superviseRun(deps, task, job, execution, options);
}
