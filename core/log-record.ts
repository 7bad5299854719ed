import type { Phase } from './phases.ts';

/** Which channel a line of job output came from; `system` is the runner's own voice. */
export type LogStream = 'stdout' | 'stderr' | 'system';

/**
 * One record of a job's log, as the runner emits it (one NDJSON line each) and the log store
 * keeps it. `text` has already passed the secret masker: nothing downstream masks again, so
 * nothing downstream may ever see unmasked text. A record may hold part of a line, one line or
 * several; only `text` joined in order is the log.
 */
export interface LogRecord {
  /** ISO-8601 time the runner emitted the record. */
  readonly ts: string;
  readonly stream: LogStream;
  readonly phase: Phase;
  readonly text: string;
}
