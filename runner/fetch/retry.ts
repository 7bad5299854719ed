import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../core/errors.ts';
import type { RetryPolicy } from './fetch-options.ts';

/**
 * Only `unavailable` is worth another try: a 5xx, 429, reset or timeout may pass, while a 404, a
 * refused member or a digest mismatch will fail the same way every time.
 */
export function isTransient(err: unknown): boolean {
  return err instanceof AppError && err.code === 'unavailable' && err.details?.['cancelled'] !== true;
}

/** Full jitter: a uniform delay up to the exponential ceiling, so many runners do not retry in step. */
export function backoffDelay(policy: RetryPolicy, retryIndex: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** Runs `attempt(n)` until it succeeds, fails for good, runs out of attempts, or is cancelled. */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.attempts || !isTransient(err) || signal?.aborted) throw err;
      await sleep(backoffDelay(policy, n - 1), undefined, signal ? { signal } : {}).catch(() => {
        throw err;
      });
    }
  }
}
