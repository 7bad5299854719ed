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

/**
 * Whether the runner's own output is backed up: its reader (an executor, a terminal) is slower
 * than the job. The job's output is then not read until it drains, so the job blocks on its own
 * full pipe instead of the runner buffering without bound.
 */
export interface OutputPressure {
  full(): boolean;
  /** Calls `resume` once (after every backed-up stream has drained). */
  whenDrained(resume: () => void): void;
}

const highWaterBytes = 1 << 20;

export function processWriters(): ProcessWriters {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  return { stdout: (t) => void out(t), stderr: (t) => void err(t) };
}

export function processOutputPressure(): OutputPressure {
  const streams = [process.stdout, process.stderr];
  const backedUp = (): NodeJS.WriteStream[] => streams.filter((s) => s.writableLength > highWaterBytes);
  return {
    full: () => backedUp().length > 0,
    whenDrained(resume) {
      const waiting = backedUp();
      if (waiting.length === 0) return resume();
      let left = waiting.length;
      for (const s of waiting) s.once('drain', () => --left === 0 && resume());
    },
  };
}
