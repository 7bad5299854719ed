export interface CleanUpLoopOptions {
  readonly queues: readonly string[];
  readonly intervalMs: number;
  /** One CleanUpTimedOut round for a queue. */
  readonly reclaim: (queue: string) => Promise<number>;
  /** A failed round; the loop goes on at the next interval. */
  readonly onError?: (err: unknown) => void;
}

export interface CleanUpLoop {
  /** Stops the loop; resolves after a round in progress has ended. */
  stop(): Promise<void>;
}

/**
 * Calls CleanUpTimedOut on a schedule: Corndogs never does it by itself, so without this (or a
 * `reconcile` doing it) a task claimed by a dispatcher that died stays claimed forever. One error
 * never ends the loop, and its timer does not keep the process alive.
 */
export function startCleanUpLoop(options: CleanUpLoopOptions): CleanUpLoop {
  if (!(options.intervalMs > 0)) throw new RangeError('cleanUp.intervalMs must be positive');
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<void> = Promise.resolve();

  const report = (err: unknown): void => {
    try {
      options.onError?.(err);
    } catch {
      // A faulty error callback must not end the loop.
    }
  };

  const tick = (): void => {
    round = (async () => {
      for (const queue of options.queues) {
        if (stopped) return;
        try {
          await options.reclaim(queue);
        } catch (err) {
          report(err);
        }
      }
    })().finally(schedule);
  };

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await round;
    },
  };
}
