import type { LogRecord } from '../../core/log-record.ts';
import type { RunSummary, SummaryRecord } from '../../core/run-summary.ts';
import type { LogSink, ProcessWriters } from './log-sink.ts';

/** One JSON object per line on stdout: what executors stream into the log store. */
export function ndjsonSink(writers: ProcessWriters): LogSink {
  return {
    record(record: LogRecord) {
      writers.stdout(JSON.stringify(record) + '\n');
    },
    summary(summary: RunSummary) {
      const line: SummaryRecord = { ts: new Date().toISOString(), summary };
      writers.stdout(JSON.stringify(line) + '\n');
    },
  };
}
