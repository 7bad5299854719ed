import { EventEmitter } from 'node:events';

/**
 * In-process wake-ups for queue waiters. Embedded mode (PGlite, reached in-process) is one
 * Postgres session where NOTIFY does not cross connections, so the enqueuer and the dispatchers
 * of one process share a hub instead; in `listen` mode the LISTEN connection feeds the same hub.
 *
 * Every wake-up gets a sequence number so that a waiter can tell whether work arrived after it
 * last looked (see `wokenSince`): without it, an enqueue that lands between an empty claim and
 * the following wait would go unnoticed until the poll timeout.
 */
export interface WakeupHub {
  /** Wakes every waiter on `queue`. */
  wake(queue: string): void;
  /** A number that grows with every wake-up and every call; compare with `lastWake`. */
  tick(): number;
  /** The tick of the latest wake-up of `queue`, 0 if none. */
  lastWake(queue: string): number;
  /** Resolves on the next wake-up of `queue`, after `timeoutMs`, or when `signal` aborts. */
  wait(queue: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

export function createWakeupHub(): WakeupHub {
  const emitter = new EventEmitter();
  // One listener per blocked dispatcher loop; there may be many, and that is not a leak.
  emitter.setMaxListeners(0);
  const latest = new Map<string, number>();
  let seq = 0;

  return {
    wake(queue) {
      latest.set(queue, ++seq);
      emitter.emit(queue);
    },
    tick: () => ++seq,
    lastWake: (queue) => latest.get(queue) ?? 0,
    wait(queue, timeoutMs, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted === true) {
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          emitter.removeListener(queue, done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        emitter.on(queue, done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
