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
  // A stream whose reader is gone (EPIPE) will never drain: it no longer holds anything back,
  // or a job with a dead reader would wait for ever instead of finishing and cleaning up.
  const backedUp = (): NodeJS.WriteStream[] =>
    streams.filter((s) => !s.destroyed && !s.errored && s.writableLength > highWaterBytes);
  return {
    full: () => backedUp().length > 0,
    whenDrained(resume) {
      const waiting = backedUp();
      if (waiting.length === 0) return resume();
      let left = waiting.length;
      for (const s of waiting) {
        let settled = false;
        const settle = (): void => {
          if (settled) return;
          settled = true;
          s.off('drain', settle).off('error', settle).off('close', settle);
          if (--left === 0) resume();
        };
        s.once('drain', settle).once('error', settle).once('close', settle);
      }
    },
  };
}
