import type { LogRecord } from '../log-record.ts';

/** A stored log record with its position in the job's log; a client resumes with `offset + 1`. */
export interface OffsetLogRecord extends LogRecord {
  readonly offset: number;
}

export interface LogSlice {
  readonly records: readonly OffsetLogRecord[];
  /** The offset to read from next: one past the last record returned. */
  readonly nextOffset: number;
}

export interface AppendOptions {
  /**
   * These are the first records of this attempt's run, which shows the run has begun: a job
   * still `starting` on that attempt is recorded `running` by the same write (with its
   * transition), one write where there were two.
   */
  readonly running?: number;
  /**
   * The run these records come from. Given, they are appended only while the job is starting or
   * running on that attempt under that dispatcher; otherwise they are refused (`conflict`) and
   * nothing is written: a dispatcher cut off past its lease, whose job another has taken over or
   * settled, cannot write into the log any more.
   */
  readonly owner?: { readonly dispatcherId: string; readonly attempt: number };
}

/**
 * A job's live log, kept as chunks in the database so that any API replica can serve and follow
 * it. Offsets count records from 0 and only grow.
 */
export interface LogStore {
  /** Appends a batch in order; returns the offset given to its first record and the next free one. */
  append(jobId: string, records: readonly LogRecord[], options?: AppendOptions): Promise<{ firstOffset: number; nextOffset: number }>;
  read(jobId: string, fromOffset: number, limit: number): Promise<LogSlice>;
}
