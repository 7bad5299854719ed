import type { Phase, PhaseTiming } from './phases.ts';

/**
 * How a run ended, from the runner's side. `failed` is the job script's own non-zero exit;
 * `errored` is a failure of the system around it (fetch, a plugin's setup, a missing script);
 * `cancelled` is a stop asked from outside (SIGTERM, SIGINT).
 */
export type RunOutcome = 'succeeded' | 'failed' | 'errored' | 'cancelled';

/**
 * The runner's process exit code when the system around the job failed. The job's own exit code
 * passes through unchanged otherwise, so a job that itself exits 125 is told apart by the
 * summary record, which is the authority.
 */
export const RUNNER_ERROR_EXIT_CODE = 125;

/** The runner's last NDJSON line: `{"ts": …, "summary": RunSummary}`. Every text in it is masked. */
export interface RunSummary {
  readonly jobId: string;
  readonly outcome: RunOutcome;
  /** The runner's process exit code. */
  readonly exitCode: number;
  /** The job script's own exit code, when it ran to an exit. */
  readonly scriptExitCode?: number;
  /** The signal that ended the job script, when one did. */
  readonly scriptSignal?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly phases: readonly PhaseTiming[];
  /** The runner process's own peak resident memory (not the job's), as the kernel counts it. */
  readonly runnerMaxRssKb?: number;
  /** Why the run errored or was cancelled: the phase and a masked message. */
  readonly error?: { readonly phase: Phase; readonly message: string };
}

export interface SummaryRecord {
  readonly ts: string;
  readonly summary: RunSummary;
}
