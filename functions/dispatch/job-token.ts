/**
 * A job's own API access: when a run starts, the dispatcher mints a token bound to that job and
 * hands it to the runner with the API's URL; the database revokes it in the transaction that
 * ends the run (migration 0013), whoever records that end. The token is live only while the job
 * is starting or running (the token store checks that on every use), and it expires at the
 * latest some time after the job's timeout, so a token that leaked from a run cannot outlive it
 * even if nobody ever records the run's end.
 */
import { jobSpecLimits } from '../../core/job-spec.ts';
import type { Job } from '../../core/job.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import type { JobTokenStore } from '../../core/ports/job-token-store.ts';

export interface JobApi {
  readonly tokens: JobTokenStore;
  /** The API URL jobs use to reach the coordinator (as seen from where the runner runs). */
  readonly url: string;
}

/** How long past its timeout a run's token stays valid: the stop, the kill grace and cleanup. */
const jobTokenGraceSeconds = 300;

function jobTokenExpiry(timeoutSeconds: number, now: Date = new Date()): string {
  const timeout = timeoutSeconds > 0 ? timeoutSeconds : jobSpecLimits.maxTimeoutSeconds;
  return new Date(now.getTime() + (timeout + jobTokenGraceSeconds) * 1000).toISOString();
}

/**
 * The execution spec with the job's API access added. Without a configured API, or for a job no
 * token submitted (the system's own), the job runs without one and its job library says so when
 * asked to submit.
 */
export async function withJobToken(api: JobApi | undefined, job: Job, spec: ExecutionSpec): Promise<ExecutionSpec> {
  if (api === undefined) return spec;
  const minted = await api.tokens.mint({ jobId: job.id, expiresAt: jobTokenExpiry(spec.timeoutSeconds) });
  if (minted === null) return spec;
  return { ...spec, api: { url: api.url, token: minted.token } };
}
