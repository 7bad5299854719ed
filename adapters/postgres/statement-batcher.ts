/**
 * Group commit for hot single-row statements (job inserts, job reads by id). Under load, calls
 * that arrive while `maxInFlight` statements are already running wait and then go together as
 * one statement: one round trip (and for inserts one commit and one WAL flush) for the lot. An
 * idle server sends every call at once; a batch only forms behind statements in flight.
 *
 * For inserts nothing is acknowledged before its statement commits and each job is still written
 * with its outbox entry in the same transaction. One bad row fails its whole statement and writes
 * nothing, so then every item of that batch runs alone and gets its own answer. A lost connection
 * is not retried: whether the batch committed is unknown, and each caller hears `unavailable` as
 * a single statement would have made it. A read in a batch sees the row as committed when the
 * statement runs, exactly as a read of its own would.
 */
export interface BatchOptions {
  /** Statements (single or batched) running at once; more arrivals wait and form the next batch. */
  readonly maxInFlight: number;
  /** The most items one statement carries. */
  readonly maxBatch: number;
}

// Two in flight measured best in the API benchmark (submits 1.2× the rate with four, status
// reads 1.2× too): one batch runs while the next forms.
export const defaultInsertBatch: BatchOptions = { maxInFlight: 2, maxBatch: 64 };
export const defaultReadBatch: BatchOptions = { maxInFlight: 2, maxBatch: 64 };

export interface BatchPorts<In, Out> {
  one(item: In): Promise<Out>;
  /** Results in any order; `keyOf` pairs them with their items. */
  many(items: readonly In[]): Promise<readonly Out[]>;
  keyOfItem(item: In): string;
  keyOfResult(result: Out): string;
  /** The answer for an item the batch returned nothing for (a read of a missing row: null). */
  missing(item: In): Out;
  /** True when the statement itself failed (a row broke a constraint), so nothing was written. */
  isStatementError(err: unknown): boolean;
}

interface Waiting<In, Out> {
  readonly item: In;
  resolve(result: Out): void;
  reject(err: unknown): void;
}

export function statementBatcher<In, Out>(ports: BatchPorts<In, Out>, options: BatchOptions): (item: In) => Promise<Out> {
  const waiting: Waiting<In, Out>[] = [];
  let inFlight = 0;

  async function alone(w: Waiting<In, Out>): Promise<void> {
    try {
      w.resolve(await ports.one(w.item));
    } catch (err) {
      w.reject(err);
    }
  }

  async function write(batch: readonly Waiting<In, Out>[]): Promise<void> {
    if (batch.length === 1) return alone(batch[0] as Waiting<In, Out>);
    let results: readonly Out[];
    try {
      results = await ports.many(batch.map((w) => w.item));
    } catch (err) {
      if (!ports.isStatementError(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(batch.map(alone));
      return;
    }
    const byKey = new Map(results.map((r) => [ports.keyOfResult(r), r]));
    for (const w of batch) {
      const r = byKey.get(ports.keyOfItem(w.item));
      if (r !== undefined) w.resolve(r);
      else {
        try {
          w.resolve(ports.missing(w.item));
        } catch (err) {
          w.reject(err);
        }
      }
    }
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      inFlight++;
      void write(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
