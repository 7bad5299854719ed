import type { JobSpec } from './job-spec.ts';
import type { JobState, TerminalState } from './job-state.ts';
import type { PhaseTiming } from './phases.ts';

/** A job as the API reports it. Times are ISO-8601 strings; absent ones are null. */
export interface Job {
  readonly id: string;
  readonly name: string | null;
  readonly state: JobState;
  readonly spec: JobSpec;
  readonly queue: string;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly parentId: string | null;
  /** The token that submitted the job; null when submitted by the system. */
  readonly submittedBy: string | null;
  /** The current attempt, from 1; a retried job goes back to `queued` with the next one. */
  readonly attempt: number;
  /** 1 unless the spec asked for retries (`retry.maxAttempts`). */
  readonly maxAttempts: number;
  /** While a retry waits out its backoff: when the next attempt may start; null otherwise. */
  readonly retryAt: string | null;
  /** How the earlier attempts ended, oldest first; the job's own fields are the current attempt's. */
  readonly previousAttempts: readonly PastAttempt[];
  readonly exitCode: number | null;
  /** Why the job did not succeed, already masked by whoever reported it. */
  readonly errorReason: string | null;
  readonly phases: readonly PhaseTiming[];
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
  readonly cancelRequestedAt: string | null;
}

/** An attempt that ended and was retried. Written once, when it ended; never changed after. */
export interface PastAttempt {
  readonly attempt: number;
  readonly state: TerminalState;
  readonly exitCode: number | null;
  readonly errorReason: string | null;
  readonly phases: readonly PhaseTiming[];
  /** When a dispatcher claimed it. */
  readonly startedAt: string | null;
  readonly finishedAt: string;
}
