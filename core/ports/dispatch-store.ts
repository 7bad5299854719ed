/**
 * What the dispatcher needs from the job table beyond the JobStore: the outbox it relays to the
 * TaskQueue, the task handle kept with each job, and the one compare-and-set that makes a claim
 * safe — a job starts only if it is still queued, so a duplicate or stale task can never start
 * it twice.
 */
import type { Job } from '../job.ts';
import type { JobState, TerminalState } from '../job-state.ts';
import type { PhaseTiming } from '../phases.ts';
import type { ResumePoint } from './executor.ts';
import type { TransitionInput } from './job-store.ts';
import type { MintedJobToken } from './job-token-store.ts';
import type { ClaimedTask } from './task-queue.ts';

export interface OutboxEntry {
  readonly id: string;
  readonly jobId: string;
  /** `release`: the job was admitted (dependencies met, a slot in its group): its waiting task becomes claimable. */
  readonly kind: 'enqueue' | 'cancel' | 'release';
  readonly queue: string;
  readonly priority: number;
  /** For an enqueue: the job is `waiting` (on dependencies or a slot), so its task is added not claimable. */
  readonly waiting?: boolean;
  /**
   * A retry's enqueue: the TaskQueue ref of the previous attempt's task, removed before the new
   * task is added (a queue that dedupes by job would otherwise hand back the old, claimed task).
   */
  readonly replaces?: string;
}

/** An attempt that ended in a state its retry policy retries. */
export interface RetryInput {
  readonly jobId: string;
  /** The attempt that ended; nothing happens unless it is still the job's current one. */
  readonly attempt: number;
  readonly state: TerminalState;
  readonly exitCode: number | null;
  readonly errorReason: string | null;
  readonly phases: readonly PhaseTiming[];
  /** How long the next attempt waits (the backoff). */
  readonly delayMs: number;
  /** The ended attempt's claimed task, replaced by the next attempt's. */
  readonly taskRef: string;
  /** Recorded with the transition back to queued. */
  readonly reason: string;
}

export interface JobTokenTerms {
  readonly graceSeconds: number;
  readonly maxTimeoutSeconds: number;
}

/** How `endRun` went: `already_ended` is a job that ended meanwhile (a cancel that raced the end; the first end stands). */
export type RunEnd = 'ended' | 'already_ended' | 'claim_lost';

export interface StartedRun {
  readonly job: Job;
  readonly token: MintedJobToken | null;
}

export interface DispatchStore {
  /** Outbox rows not yet relayed, oldest first. */
  pendingOutbox(limit: number): Promise<readonly OutboxEntry[]>;
  /** Marks the row relayed; for an enqueue, keeps the task's handle with its job. */
  markRelayed(entry: OutboxEntry, queueRef?: string): Promise<void>;
  /** `markRelayed` for several enqueue rows at once, in one round trip. */
  markRelayedMany(relayed: readonly { readonly entry: OutboxEntry; readonly queueRef: string }[]): Promise<void>;
  /** Records a failed relay attempt (the row stays pending). */
  markRelayFailed(entry: OutboxEntry, reason: string): Promise<void>;
  /** The job's state and the TaskQueue handle of its task (null until relayed); null for no job. */
  taskOf(jobId: string): Promise<{ readonly state: JobState; readonly queueRef: string | null } | null>;
  /**
   * queued → starting, only if still queued with no cancel asked and its retry backoff (if any) is
   * over; null otherwise (nothing written). Marks where this attempt's log begins. With
   * `jobToken`, the same statement mints the run's job token (JobTokenStore.mint's token: the
   * submitter's role, audited), expiring `graceSeconds` past the job's timeout (or past
   * `maxTimeoutSeconds` for a job with none): one round trip where there were two. `token` is
   * null without `jobToken`, or when the job has no submitting token.
   */
  startRun(jobId: string, dispatcherId: string, jobToken?: JobTokenTerms): Promise<StartedRun | null>;
  /**
   * The attempt ended and will be retried: in one transaction it joins the job's past attempts,
   * the job goes back to `queued` with the next attempt, and an outbox row due after the backoff
   * re-enqueues it. Null (nothing written) if that attempt is no longer current and running, or a
   * cancel was asked for — the caller then records the end as final.
   */
  retryLater(input: RetryInput): Promise<Job | null>;
  /**
   * A dispatcher takes over attempt `attempt` that another one started (it reattached to the
   * still-running run): records the new dispatcher; null if the job is no longer on that attempt.
   */
  takeOver(jobId: string, attempt: number, dispatcherId: string): Promise<Job | null>;
  /** The last record of the current attempt's log and how many records share its `ts`; null for none. */
  resumePoint(jobId: string): Promise<ResumePoint | null>;
  /**
   * Only where the TaskQueue's tasks live in this store's database (pgqueue): an attempt's final
   * end (`input.to` an end state) recorded and its task completed in one write, fenced by the
   * claim — if `task` is no longer claimed under its lease token (another dispatcher took it
   * over), nothing is written: `claim_lost`. Otherwise the task is completed, whether the job
   * moved (`ended`) or had already ended (`already_ended`). The dispatcher's one write where a
   * heartbeat, the transition and the completion were three.
   */
  endRun?(task: ClaimedTask, input: TransitionInput & { readonly attempt: number }): Promise<RunEnd>;
  /** Of these jobs, the ones whose cancellation has been asked for. */
  cancelRequested(jobIds: readonly string[]): Promise<readonly string[]>;
}
