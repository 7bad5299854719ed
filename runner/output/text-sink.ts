import type { LogRecord } from '../../core/log-record.ts';
import type { PhaseTiming } from '../../core/phases.ts';
import type { RunSummary } from '../../core/run-summary.ts';
import type { LogSink, ProcessWriters } from './log-sink.ts';

/**
 * Readable output for a terminal: the job's stdout and stderr go to the runner's own stdout and
 * stderr unchanged (so `reactorcide run > out.txt` captures just the job's output), and the
 * runner's voice — phase headers, timings, the summary — goes to stderr.
 */
export function textSink(writers: ProcessWriters, options: { color: boolean }): LogSink {
  const paint = (code: string, s: string): string => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let atLineStart = true;
  const write = (to: 'stdout' | 'stderr', text: string): void => {
    if (text === '') return;
    writers[to](text);
    atLineStart = text.endsWith('\n');
  };
  const systemLine = (text: string): void => {
    write('stderr', `${atLineStart ? '' : '\n'}${text}\n`);
  };

  return {
    record(record: LogRecord) {
      if (record.stream !== 'system') {
        write(record.stream, record.text);
        return;
      }
      const text = record.text.replace(/\n$/, '');
      if (text.startsWith('--- ')) systemLine(paint('1;36', text));
      else systemLine(paint('2', `  ${text}`));
    },
    summary(summary: RunSummary) {
      const ok = summary.outcome === 'succeeded';
      systemLine(paint('1', '--- summary'));
      for (const p of summary.phases) systemLine(formatPhase(p, paint));
      const code = summary.scriptSignal ? `signal ${summary.scriptSignal}` : `exit ${summary.exitCode}`;
      const verdict = `job ${summary.outcome} (${code}) in ${formatMs(summary.durationMs)}`;
      systemLine(paint(ok ? '1;32' : '1;31', verdict));
      if (summary.error) systemLine(paint('31', `${summary.error.phase}: ${summary.error.message}`));
    },
  };
}

function formatPhase(p: PhaseTiming, paint: (code: string, s: string) => string): string {
  const colour = p.outcome === 'succeeded' ? '32' : p.outcome === 'skipped' ? '2' : '31';
  return `  ${p.phase.padEnd(15)} ${paint(colour, p.outcome.padEnd(10))} ${formatMs(p.durationMs).padStart(9)}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
