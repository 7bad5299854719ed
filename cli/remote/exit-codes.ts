import type { ClientError } from '../../client/index.ts';
import type { Job } from '../../core/job.ts';
import { RUNNER_ERROR_EXIT_CODE } from '../../core/run-summary.ts';

/**
 * The exit codes of the client commands, the table the README repeats. `wait` and a following
 * `submit` exit with the job's own code, so a script can use them as it would the job itself;
 * the CLI's own failures use codes a job's exit code is unlikely to be (sysexits.h).
 */
export const exitCodes = Object.freeze({
  ok: 0,
  /** The API refused or failed the request (not found, conflict, invalid input, internal). */
  apiError: 1,
  usage: 2,
  /** The job ran out of time (like timeout(1)). */
  jobTimedOut: 124,
  /** The system failed the job (same code as the runner's). */
  jobErrored: RUNNER_ERROR_EXIT_CODE,
  /** The job was cancelled (like a job stopped by Ctrl-C). */
  jobCancelled: 130,
  /** `wait --timeout` ran out before the job ended (the job goes on). */
  waitTimedOut: 75,
  /** No answer from the server, or it said it is unavailable. */
  unavailable: 69,
  /** The token is missing, unknown, expired, or may not do this. */
  noPermission: 77,
});

/** A command-line mistake: printed with a hint and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What `wait` exits with for a job that has ended. */
export function exitCodeOfJob(job: Pick<Job, 'state' | 'exitCode'>): number {
  switch (job.state) {
    case 'succeeded':
      return exitCodes.ok;
    case 'failed':
      return job.exitCode !== null && job.exitCode !== 0 ? job.exitCode : exitCodes.apiError;
    case 'timed_out':
      return exitCodes.jobTimedOut;
    case 'cancelled':
      return exitCodes.jobCancelled;
    case 'errored':
      return exitCodes.jobErrored;
    case 'queued':
    case 'waiting':
    case 'starting':
    case 'running':
      // Not ended: only a caller's mistake gets here.
      return exitCodes.apiError;
  }
}

/** A ClientError as the exit code and a message that says what to do next. */
export function describeClientError(err: ClientError, server: string): { code: number; message: string } {
  const hint = (code: number, next: string): { code: number; message: string } => ({ code, message: `${err.message}\n  ${next}` });
  if (err.code === 'network') return hint(exitCodes.unavailable, 'is `reactorcide serve` running there? Check --server / REACTORCIDE_SERVER.');
  if (err.code === 'timeout') return hint(exitCodes.unavailable, `the server at ${server} is slow or stuck; try again, or raise --request-timeout.`);
  if (err.code === 'unavailable') return hint(exitCodes.unavailable, `the server is unavailable; try again shortly (GET ${server}/readyz says why).`);
  if (err.code === 'unauthorized') {
    return hint(exitCodes.noPermission, 'pass --token, set REACTORCIDE_TOKEN, or put "token" in the config file; an admin makes one with `reactorcide token create`.');
  }
  if (err.code === 'forbidden') return hint(exitCodes.noPermission, "this token's role may not do this; ask an admin for a token whose role may.");
  if (err.field !== undefined && !err.message.startsWith(err.field)) return { code: exitCodes.apiError, message: `${err.field}: ${err.message}` };
  // not_found, conflict, too_large, internal, and any code a newer server adds.
  return { code: exitCodes.apiError, message: err.message };
}
