/**
 * Jobs that create jobs: a job the dispatcher started gets the API's URL and a token of its own
 * (bound to this run, with its submitter's role, dead once the run ends). With them it can
 * submit child jobs — no more trusted than itself — and wait for them. There is no workflow
 * engine behind this: fan-out, retries of a child, or a pipeline are the job's own code.
 */
import { ClientError } from '../../client/client-error.ts';
import { createClient, type ReactorcideClient, type SubmitOptions } from '../../client/create-client.ts';
import type { Job, SubmitSpec, TerminalState } from '../../client/types.ts';
import { jobApiEnv } from './api-env.ts';

export type { Job, SubmitSpec, TerminalState };

/** What a child may be: whatever the client submits (a full spec, or a run of a definition). */
export type ChildSpec = Parameters<ReactorcideClient['submitJob']>[0];

/** A job that has ended: its end state and, when the runner exited, its exit code. */
export type EndedJob = Job & { readonly state: TerminalState };

export interface WaitForOptions {
  /** Give up after this long with an error (the job goes on running). Default: as long as it takes. */
  readonly timeoutMs?: number;
  /** Between status reads. Default 500 ms. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * The API client of this run, authenticated with its job token: everything the token allows
 * (submit, read this job and its children and their logs, cancel its children). Throws when the
 * run has no API access — run by `reactorcide run` on a laptop, or by a dispatcher given no
 * REACTORCIDE_JOB_API_URL.
 */
export function jobClient(): ReactorcideClient {
  const server = process.env[jobApiEnv.url];
  const token = process.env[jobApiEnv.token];
  if (server === undefined || server === '' || token === undefined || token === '') {
    throw new Error(
      `${jobApiEnv.url} and ${jobApiEnv.token} are not set: submitting jobs works only in a job a Reactorcide dispatcher started ` +
        'with an API URL for jobs (REACTORCIDE_JOB_API_URL, or `reactorcide serve`)',
    );
  }
  return createClient({ server, token });
}

/**
 * Submits a child of this job and resolves with it as accepted (`queued`). The child runs with
 * this job's submitter's role, in this job's queue, at most at its priority, and may name only
 * secrets this job was given; a spec asking for more is refused (a ClientError, code `forbidden`).
 */
export async function submitJob(spec: ChildSpec, options: SubmitOptions = {}): Promise<Job> {
  return jobClient().submitJob(spec, options);
}

/** Resolves once the job (an id, or a job as `submitJob` returned it) has ended. */
export async function waitFor(job: string | { readonly id: string }, options: WaitForOptions = {}): Promise<EndedJob> {
  const id = typeof job === 'string' ? job : job.id;
  return (await jobClient().waitFor(id, options)) as EndedJob;
}

export { ClientError };
