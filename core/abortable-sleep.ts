/**
 * Waits `ms`, or less if `signal` aborts first (or already has): it resolves either way, for
 * loops that check their signal after each pause. The abort listener goes with the timer, so a
 * loop that sleeps on one long-lived signal does not pile listeners onto it.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
