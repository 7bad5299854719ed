/**
 * What the dispatcher needs from the job table beyond the JobStore: the outbox it relays to the
 * TaskQueue, the task handle kept with each job, and the one compare-and-set that makes a claim
 * safe — a job starts only if it is still queued, so a duplicate or stale task can never start
 * it twice.
 */
import type { Job } from '../job.ts';
import type { JobState } from '../job-state.ts';

export interface OutboxEntry {
  readonly id: string;
  readonly jobId: string;
  readonly kind: 'enqueue' | 'cancel';
  readonly queue: string;
  readonly priority: number;
}

export interface DispatchStore {
  /** Outbox rows not yet relayed, oldest first. */
  pendingOutbox(limit: number): Promise<readonly OutboxEntry[]>;
  /** Marks the row relayed; for an enqueue, keeps the task's handle with its job. */
  markRelayed(entry: OutboxEntry, queueRef?: string): Promise<void>;
  /** Records a failed relay attempt (the row stays pending). */
  markRelayFailed(entry: OutboxEntry, reason: string): Promise<void>;
  /** The job's state and the TaskQueue handle of its task (null until relayed); null for no job. */
  taskOf(jobId: string): Promise<{ readonly state: JobState; readonly queueRef: string | null } | null>;
  /** queued → starting, only if still queued with no cancel asked; null otherwise. */
  startRun(jobId: string, dispatcherId: string): Promise<Job | null>;
  /** Of these jobs, the ones whose cancellation has been asked for. */
  cancelRequested(jobIds: readonly string[]): Promise<readonly string[]>;
}
