/**
 * Remembers how far a job's log has been delivered, so re-reading the pod log — after a dropped
 * stream or a dispatcher restart — hands on every record once: none lost, none twice. Records
 * are identified by their `ts` and their rank among records sharing that `ts`, which is what the
 * log store can tell a restarted dispatcher (the last record's `ts` and how many share it).
 */
import type { ResumePoint } from '../../core/ports/executor.ts';

export class LogCursor {
  private lastTs: string | undefined;
  private countAtLast = 0;
  private seenAtLast = 0;

  constructor(resume?: ResumePoint) {
    if (resume) {
      this.lastTs = resume.ts;
      this.countAtLast = resume.count;
    }
  }

  /** Call before each pass over the log: ranks restart from the beginning of what is re-read. */
  restart(): void {
    this.seenAtLast = 0;
  }

  /** Whether the record with this `ts`, next in the log, is new; if so it counts as delivered. */
  accept(ts: string): boolean {
    if (this.lastTs === undefined || ts > this.lastTs) {
      this.lastTs = ts;
      this.countAtLast = 1;
      this.seenAtLast = 1;
      return true;
    }
    if (ts < this.lastTs) return false;
    this.seenAtLast += 1;
    if (this.seenAtLast <= this.countAtLast) return false;
    this.countAtLast += 1;
    return true;
  }

  get last(): string | undefined {
    return this.lastTs;
  }

  /**
   * The `sinceTime` to re-read from. The API takes whole seconds and the kubelet stamps a line
   * when it reads it (never before the runner's own `ts`), so one second earlier misses nothing.
   */
  sinceTime(): string | undefined {
    if (this.lastTs === undefined) return undefined;
    const ms = Date.parse(this.lastTs);
    if (Number.isNaN(ms)) return undefined;
    return new Date(Math.floor(ms / 1000) * 1000 - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
