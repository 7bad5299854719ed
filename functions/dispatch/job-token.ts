/**
 * A job's own API access: when a run starts, the dispatcher mints a token bound to that job — in
 * the statement that starts the run (DispatchStore.startRun with `jobTokenTerms`) — and hands it
 * to the runner with the API's URL; the database revokes it in the transaction that ends the run
 * (migration 0013), whoever records that end. The token is live only while the job is starting
 * or running (the token store checks that on every use), and it expires at the latest some time
 * after the job's timeout, so a token that leaked from a run cannot outlive it even if nobody
 * ever records the run's end.
 */
import { jobSpecLimits } from '../../core/job-spec.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import type { JobTokenTerms } from '../../core/ports/dispatch-store.ts';
import type { MintedJobToken } from '../../core/ports/job-token-store.ts';

export interface JobApi {
  /** The API URL jobs use to reach the coordinator (as seen from where the runner runs). */
  readonly url: string;
}

/** How long a run's token stays valid: its timeout, then the stop, the kill grace and cleanup. */
export const jobTokenTerms: JobTokenTerms = { graceSeconds: 300, maxTimeoutSeconds: jobSpecLimits.maxTimeoutSeconds };

/**
 * The execution spec with the job's API access added. Without a configured API, or for a job no
 * token submitted (the system's own: no token was minted), the job runs without one and its job
 * library says so when asked to submit.
 */
export function withJobToken(api: JobApi | undefined, token: MintedJobToken | null, spec: ExecutionSpec): ExecutionSpec {
  if (api === undefined || token === null) return spec;
  return { ...spec, api: { url: api.url, token: token.token } };
}
