import type { JobSpec } from './job-spec.ts';
import type { JobState } from './job-state.ts';
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
  readonly attempt: number;
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
