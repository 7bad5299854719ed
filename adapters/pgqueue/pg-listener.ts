import type { Db } from '../postgres/database.ts';

export interface PgListenerOptions {
  readonly db: Db;
  readonly channel: string;
  readonly onNotify: (payload: string) => void;
  /** After every successful LISTEN; `reconnected` is true from the second one on. */
  readonly onListening?: (reconnected: boolean) => void;
  /** A failed connect or a lost connection; the listener goes on by itself. */
  readonly onError?: (err: unknown) => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface PgListener {
  /** Resolves once LISTEN is in place (now, or after the current connect attempt succeeds). */
  listening(signal?: AbortSignal): Promise<void>;
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * LISTEN on one dedicated connection (not a pooled one: a pool would hand the session to other
 * queries and drop the subscription). A lost connection is reconnected with exponential backoff
 * and jitter, forever, and never throws into the process: while it is down, waiters fall back
 * to their poll timeout, and after it comes back `onListening(true)` lets them look again for
 * notifications sent in the gap.
 */
export function startPgListener(options: PgListenerOptions): PgListener {
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  let closed = false;
  let connected = false;
  let listens = 0;
  let wakeSleep: (() => void) | null = null;
  let endCurrent: (() => void) | null = null;
  const readyWaiters = new Set<() => void>();

  const report = (err: unknown): void => {
    try {
      options.onError?.(err);
    } catch {
      // A faulty error callback must not stop the listener.
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        wakeSleep = null;
        resolve();
      }, ms);
      wakeSleep = () => {
        clearTimeout(t);
        wakeSleep = null;
        resolve();
      };
    });

  async function listenOnce(everListened: boolean): Promise<void> {
    let lost!: () => void;
    const gone = new Promise<void>((resolve) => (lost = resolve));
    const sco = await options.db.connect({
      direct: true,
      onLost: (err: unknown) => {
        report(err);
        lost();
      },
    });
    endCurrent = lost;
    // close() may have run while the connect was in flight.
    if (closed) lost();
    sco.client.on('notification', (msg: { channel: string; payload?: string }) => {
      if (msg.channel === options.channel) options.onNotify(msg.payload ?? '');
    });
    // pg emits 'end' without 'error' when the server closes the socket politely; and an error
    // after release (when pg-promise has removed its handler) must not become an uncaught one.
    sco.client.on('end', () => lost());
    sco.client.on('error', () => lost());
    try {
      await sco.none('LISTEN $1:name', [options.channel]);
      connected = true;
      listens++;
      for (const resolve of readyWaiters) resolve();
      readyWaiters.clear();
      options.onListening?.(everListened);
      await gone;
    } finally {
      connected = false;
      endCurrent = null;
      try {
        await sco.done();
      } catch {
        // The connection is already broken; there is nothing left to close.
      }
    }
  }

  async function run(): Promise<void> {
    let backoff = minBackoff;
    while (!closed) {
      const before = listens;
      try {
        await listenOnce(listens > 0);
      } catch (err) {
        report(err);
      }
      if (closed) break;
      // A connection that did LISTEN and later broke starts the backoff over.
      if (listens > before) backoff = minBackoff;
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
      backoff = Math.min(maxBackoff, backoff * 2);
    }
  }

  const loop = run().catch(report);

  return {
    get connected() {
      return connected;
    },
    listening(signal) {
      if (connected || closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          readyWaiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        readyWaiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    async close() {
      closed = true;
      for (const resolve of readyWaiters) resolve();
      readyWaiters.clear();
      wakeSleep?.();
      endCurrent?.();
      await loop;
    },
  };
}
