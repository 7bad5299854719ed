/**
 * A wake-up between loops of one process: `notify` ends every current `wait` at once, and a
 * notify with no one waiting is kept for the next `wait`, so a wake-up that arrives while a loop
 * is busy is never lost. Waits are bounded by a timeout, so a loop that relies on it still polls
 * for what this process cannot see (another API replica's submits, say).
 */
export interface WakeSignal {
  notify(): void;
  /** Resolves on the next notify (or at once if one is pending), after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

export function createWakeSignal(): WakeSignal {
  let pending = false;
  const waiters = new Set<() => void>();
  return {
    notify() {
      if (waiters.size === 0) {
        pending = true;
        return;
      }
      for (const wake of [...waiters]) wake();
    },
    wait(timeoutMs, signal) {
      if (pending || signal?.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(wake, timeoutMs);
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        }
        waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    },
  };
}
