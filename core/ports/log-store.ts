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

/**
 * A job's live log, kept as chunks in the database so that any API replica can serve and follow
 * it. Offsets count records from 0 and only grow.
 */
export interface LogStore {
  /** Appends a batch in order; returns the offset given to its first record and the next free one. */
  append(jobId: string, records: readonly LogRecord[]): Promise<{ firstOffset: number; nextOffset: number }>;
  read(jobId: string, fromOffset: number, limit: number): Promise<LogSlice>;
}
