/**
 * Whether an ended attempt is tried again, and after how long. `errored` (the system's fault: a
 * fetch failure, a lost dispatcher, an image pull) is retried while attempts remain; `failed` (the
 * job's own exit) only when the spec says `retry.onFailed`; `succeeded`, `cancelled` and
 * `timed_out` never. A job without a `retry` spec has one attempt.
 */
import type { RetrySpec } from '../../core/job-spec.ts';
import type { TerminalState } from '../../core/job-state.ts';

/** No wait grows past an hour (unless `backoffSeconds` itself is longer). */
export const maxBackoffMs = 3_600_000;
/** Each wait is stretched by up to this fraction, so jobs that failed together do not retry in step. */
const backoffJitter = 0.2;

export function shouldRetry(retry: RetrySpec | undefined, attempt: number, ended: TerminalState): boolean {
  if (retry === undefined || attempt >= retry.maxAttempts) return false;
  return ended === 'errored' || (ended === 'failed' && retry.onFailed);
}

/**
 * The wait before attempt `attempt + 1`: `backoffSeconds` after the first attempt, doubling after
 * each next one, capped, plus jitter. `random` is in [0, 1).
 */
export function backoffMs(retry: Pick<RetrySpec, 'backoffSeconds'>, attempt: number, random: number = Math.random()): number {
  const base = retry.backoffSeconds * 1000;
  const exponential = base * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(exponential, Math.max(maxBackoffMs, base));
  return Math.round(capped * (1 + backoffJitter * random));
}
