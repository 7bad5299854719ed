import type { LogRecord } from '../../core/log-record.ts';
import type { RunSummary } from '../../core/run-summary.ts';

/** Where masked records go: a terminal, or NDJSON for the system to consume. */
export interface LogSink {
  record(record: LogRecord): void;
  summary(summary: RunSummary): void;
}

/** Raw writers of the runner's real stdout and stderr, taken before plugin output is captured. */
export interface ProcessWriters {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export function processWriters(): ProcessWriters {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  return { stdout: (t) => void out(t), stderr: (t) => void err(t) };
}
