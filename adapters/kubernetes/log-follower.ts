/**
 * Follows the runner container's log — which in a pod IS the runner's NDJSON stream — and turns
 * it back into log records and the run's summary. A stream that ends or breaks while the
 * container still runs is reopened from where the cursor stands; once the container has
 * finished, one last pass reads what is left. Lines that are not records (the runner's stderr,
 * which shares the container log) become masked `system` records.
 */
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import type { LogRecord } from '../../core/log-record.ts';
import type { RunSummary } from '../../core/run-summary.ts';
import type { LogCursor } from './log-cursor.ts';
import { containerName } from './names.ts';
import { abortableSleep } from '../../core/abortable-sleep.ts';
import { parseRunnerLine } from '../../core/runner-line.ts';

export interface LogFollowerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly podName: string;
  readonly cursor: LogCursor;
  readonly onRecord: (record: LogRecord) => void;
  readonly onSummary: (summary: RunSummary) => void;
  readonly maskText: (text: string) => string;
  /** True once the container has terminated or the pod is gone: the next pass is the last. */
  readonly finished: () => boolean;
  /** Resolves at the next change of the pod as the watch sees it (or soon after, at the latest). */
  readonly changed: () => Promise<void>;
  readonly signal: AbortSignal;
}

type PassEnd = 'ended' | 'broken' | 'gone';

/** Resolves when the whole log has been read (or the pod, and with it the log, is gone). */
export async function followLog(options: LogFollowerOptions): Promise<void> {
  const log = new Log(options.kubeConfig);
  let backoffMs = 100;
  while (!options.signal.aborted) {
    const last = options.finished();
    const end = await readPass(log, options, !last);
    if (end === 'gone' || (end === 'ended' && last)) return;
    if (end === 'broken') {
      await abortableSleep(backoffMs, options.signal);
      backoffMs = Math.min(backoffMs * 2, 5000);
    } else {
      backoffMs = 100;
      // The stream ended with the container, usually just before the watch says so.
      await Promise.race([options.changed(), abortableSleep(500, options.signal)]);
    }
  }
}

async function readPass(log: Log, o: LogFollowerOptions, follow: boolean): Promise<PassEnd> {
  o.cursor.restart();
  let buffered = '';
  let lastRecordTs: string | undefined;
  const handle = (line: string): void => {
    const space = line.indexOf(' ');
    const kubeletTs = space > 0 ? normaliseTs(line.slice(0, space)) : undefined;
    const text = kubeletTs !== undefined ? line.slice(space + 1) : line;
    const parsed = parseRunnerLine(text);
    if (parsed !== undefined && 'summary' in parsed) return o.onSummary(parsed.summary);
    // A stray line takes the previous record's time, so it never moves the cursor past records
    // the runner stamped earlier but the kubelet read later.
    const record: LogRecord = parsed ?? {
      ts: lastRecordTs ?? o.cursor.last ?? kubeletTs ?? new Date().toISOString(),
      stream: 'system',
      phase: 'run',
      text: o.maskText(`${text}\n`),
    };
    lastRecordTs = record.ts;
    if (o.cursor.accept(record.ts)) o.onRecord(record);
  };
  const sink = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, callback) {
      buffered += chunk.toString();
      let start = 0;
      let nl;
      while ((nl = buffered.indexOf('\n', start)) >= 0) {
        handle(buffered.slice(start, nl).replace(/\r$/, ''));
        start = nl + 1;
      }
      buffered = buffered.slice(start);
      callback();
    },
  });
  const ended = new Promise<PassEnd>((resolve) => {
    sink.once('finish', () => resolve('ended'));
    // Log pipes the response into the sink, and a pipe does not pass a broken source on.
    sink.once('pipe', (source: Readable) => {
      source.once('error', () => resolve('broken'));
      source.once('close', () => {
        if (!source.readableEnded) resolve('broken');
      });
    });
  });
  let controller: AbortController;
  try {
    const since = o.cursor.sinceTime();
    controller = await log.log(o.namespace, o.podName, containerName, sink, {
      follow,
      timestamps: true,
      ...(since ? { sinceTime: since } : {}),
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return code === 404 ? 'gone' : 'broken';
  }
  const onAbort = (): void => controller.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const end = await ended;
  o.signal.removeEventListener('abort', onAbort);
  // A last line without its newline arrives only when the stream ends cleanly.
  if (end === 'ended' && buffered !== '') handle(buffered);
  return end;
}

function normaliseTs(raw: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT/.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
