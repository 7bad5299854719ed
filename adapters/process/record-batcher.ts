/**
 * Hands log records on in batches, one call at a time, in order: a slow log store slows the
 * batches (they grow) but never reorders or drops records. `drain` waits for everything handed
 * to `push` to have been delivered.
 */
import type { LogRecord } from '../../core/log-record.ts';

export class RecordBatcher {
  private pending: LogRecord[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly deliver: (records: readonly LogRecord[]) => Promise<void>,
    private readonly maxRecords = 200,
    private readonly maxDelayMs = 25,
  ) {}

  push(record: LogRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.maxRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  /** Number of records not yet handed to deliver (for backpressure). */
  get backlog(): number {
    return this.pending.length;
  }

  async drain(): Promise<void> {
    this.flush();
    await this.delivering;
    if (this.failure !== undefined) throw this.failure;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.delivering = this.delivering.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.deliver(batch);
      } catch (err) {
        this.failure = err;
      }
    });
  }
}
