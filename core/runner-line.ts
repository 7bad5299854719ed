import type { LogRecord } from './log-record.ts';
import type { SummaryRecord } from './run-summary.ts';

/**
 * One line of the runner's NDJSON output, as an executor reads it (from a pipe or a pod's log): a
 * log record (its four fields only), the run's summary, or undefined for anything else — a line
 * the executor shows as the runner's own text.
 */
export function parseRunnerLine(line: string): LogRecord | SummaryRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as Partial<LogRecord & SummaryRecord>;
    if (v.summary && typeof v.summary === 'object') return v as SummaryRecord;
    if (typeof v.text === 'string' && typeof v.stream === 'string' && typeof v.phase === 'string' && typeof v.ts === 'string') {
      return { ts: v.ts, stream: v.stream, phase: v.phase, text: v.text };
    }
  } catch {
    // not a record
  }
  return undefined;
}
