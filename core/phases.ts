/**
 * The runner's fixed, ordered phases. Only fetching the source and running the script are
 * mandatory; cleanup always runs. Hooks named after phases are what plugins export.
 */
export const phases = ['fetch_source', 'fetch_job_code', 'startup', 'environment', 'run', 'cleanup'] as const;
export type Phase = (typeof phases)[number];

export type PhaseOutcome = 'succeeded' | 'failed' | 'errored' | 'skipped' | 'cancelled';

/** What the runner records about each phase; printed in its final summary and kept in job status. */
export interface PhaseTiming {
  readonly phase: Phase;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly outcome: PhaseOutcome;
  /** Why the phase did not succeed, already masked. */
  readonly message?: string;
}
