/**
 * Where a job's runner runs: a local child process (adapters/process, the embedded default) or a
 * Kubernetes Job (adapters/kubernetes). The dispatcher hands over everything the runner needs —
 * it never reaches into the runner — and gets back log records as they are printed and how the
 * run ended.
 */
import type { CodeLocation, ResourceSpec } from '../job-spec.ts';
import type { LogRecord } from '../log-record.ts';
import type { PhaseTiming } from '../phases.ts';

export interface ExecutionSpec {
  readonly jobId: string;
  readonly source: CodeLocation;
  readonly jobCode?: CodeLocation;
  readonly command?: readonly string[];
  readonly image?: string;
  readonly env: Readonly<Record<string, string>>;
  /** Secret values by env var name: delivered as env vars the runner masks, never logged. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly resources: ResourceSpec;
  /** Seconds before the run is stopped and `timed_out`; 0 for none. */
  readonly timeoutSeconds: number;
  /** Which attempt of the job this run is (1 when absent): a reattach looks for this attempt's run. */
  readonly attempt?: number;
  /**
   * The job's own access to the API, for submitting and watching child jobs: the executor hands
   * both to the runner (REACTORCIDE_API_URL, and REACTORCIDE_JOB_TOKEN as a secret it masks).
   */
  readonly api?: { readonly url: string; readonly token: string };
}

export type ExecutionOutcome = 'succeeded' | 'failed' | 'errored' | 'cancelled' | 'timed_out';

export interface ExecutionResult {
  readonly outcome: ExecutionOutcome;
  /** The runner's exit code, when it exited. */
  readonly exitCode: number | null;
  /** Why it did not succeed, already masked (the runner's own summary, or the executor's). */
  readonly reason?: string;
  readonly phases: readonly PhaseTiming[];
}

export interface Execution {
  /** Settles once the runner is gone and every record has been handed to `onRecords`. */
  readonly done: Promise<ExecutionResult>;
  /** Stop the run: SIGTERM to the runner (which runs cleanup), SIGKILL after the grace period. */
  cancel(): void;
  /**
   * Stop following the run but leave it running, for another dispatcher to `reattach` (a graceful
   * dispatcher stop). `done` then settles once every record read so far has been handed on; its
   * result means nothing. Only executors with `reattach` have it.
   */
  detach?(): void;
}

export interface ExecutionHooks {
  /** Records in order, in batches; the executor waits for each call before handing the next. */
  readonly onRecords: (records: readonly LogRecord[]) => Promise<void>;
}

/**
 * Where a reattached execution picks the log up: the `ts` of the last record already delivered
 * and how many records with exactly that `ts` were delivered (records may share a timestamp).
 */
export interface ResumePoint {
  readonly ts: string;
  readonly count: number;
}

export interface Executor {
  start(spec: ExecutionSpec, hooks: ExecutionHooks): Execution;
  /**
   * After a dispatcher restart: find the run of `jobId` that a previous dispatcher started (it
   * outlives its dispatcher, e.g. a Kubernetes Job) and follow it again, handing on only the records
   * after `resumeAfter` (all of them without it). With `attempt`, only that attempt's run (an
   * earlier attempt's may still be kept). Null when no such run exists. Executors whose runs die
   * with the dispatcher (the local process one) leave this out.
   */
  reattach?(jobId: string, hooks: ExecutionHooks, resumeAfter?: ResumePoint, attempt?: number): Promise<Execution | null>;
  /** Ids of the jobs whose runs exist and have not finished, for reconciling after a restart. */
  listActive?(): Promise<string[]>;
}
