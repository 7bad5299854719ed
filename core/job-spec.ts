import type { DefinitionRef } from './job-definition.ts';
import type { TerminalState } from './job-state.ts';

/**
 * What a client asks to run. The HTTP layer validates a body into this shape (functions/schemas);
 * the store keeps it verbatim as JSON so the dispatcher and the runner read the very spec that was
 * accepted. Fields the dispatcher acts on (queue, priority, concurrency, dependencies, retry,
 * timeout) are also columns so it can select on them without parsing JSON.
 */

/** Where code comes from: a tarball URL (http(s)://, s3://, file://) or a directory the runner can see. */
export type CodeLocation =
  | { readonly kind: 'tarball'; readonly url: string; readonly sha256?: string }
  | { readonly kind: 'directory'; readonly path: string };

export const concurrencyPolicies = ['queue', 'supersede', 'cancel-running'] as const;
export type ConcurrencyPolicy = (typeof concurrencyPolicies)[number];

/** At most `limit` jobs of `group` run at once; `policy` says what a new arrival does to the others. */
export interface ConcurrencySpec {
  readonly group: string;
  readonly limit: number;
  readonly policy: ConcurrencyPolicy;
}

/** Wait until job `jobId` ends in one of `states` (default `succeeded`); any other end state fails this job. */
export interface DependencySpec {
  readonly jobId: string;
  readonly states: readonly TerminalState[];
}

/** `errored` is always retried up to `maxAttempts`; `failed` only when `onFailed` is set. */
export interface RetrySpec {
  readonly maxAttempts: number;
  readonly backoffSeconds: number;
  readonly onFailed: boolean;
}

export interface ResourceSpec {
  /** Kubernetes quantity, e.g. `500m`, `2`. */
  readonly cpu?: string;
  /** Kubernetes quantity, e.g. `512Mi`. */
  readonly memory?: string;
}

export interface JobSpec {
  readonly name?: string;
  readonly source: CodeLocation;
  /** The code that does the job; defaults to the source itself. */
  readonly jobCode?: CodeLocation;
  /** Explicit command; without it the runner looks up `reactorcide_job` in the job code. */
  readonly command?: readonly string[];
  readonly image?: string;
  readonly env: Readonly<Record<string, string>>;
  /** Names of stored secrets to hand the job as masked env vars; never their values. */
  readonly secrets: readonly string[];
  readonly resources: ResourceSpec;
  /** Seconds the run may take before it is `timed_out`. */
  readonly timeout: number;
  /** Higher runs first within a queue. */
  readonly priority: number;
  readonly queue: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly concurrency?: ConcurrencySpec;
  readonly dependsOn: readonly DependencySpec[];
  readonly retry?: RetrySpec;
  /** Set by the API when the job is a run of a job definition; never by a client. */
  readonly definition?: DefinitionRef;
}

export const jobSpecLimits = Object.freeze({
  maxTimeoutSeconds: 7 * 24 * 3600,
  defaultTimeoutSeconds: 3600,
  minPriority: -1000,
  maxPriority: 1000,
  maxLabels: 64,
  maxEnv: 256,
  maxSecrets: 64,
  maxDependencies: 64,
  maxRetryAttempts: 20,
  /** Request bodies above this are refused with 413 before they are parsed. */
  maxBodyBytes: 256 * 1024,
});
