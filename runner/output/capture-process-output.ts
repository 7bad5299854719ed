/**
 * Plugins run inside the runner, so what they print with console.log or process.stdout.write
 * would bypass the masker (and, in NDJSON mode, corrupt the record stream). While hooks run, the
 * runner's own stdout/stderr writes are routed into pipeline channels instead. The sinks write
 * through writers taken before this, so they are not captured.
 */
import type { OutputChannel, OutputPipeline } from './output-pipeline.ts';

type Write = typeof process.stdout.write;

export interface Capture {
  /** Flush the channels (at the end of each phase, so no output is held across phases). */
  flush(): void;
  restore(): void;
}

export function captureProcessOutput(pipeline: OutputPipeline): Capture {
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  // Made on a plugin's first write: most phases print nothing, and a channel (a mask stream, an
  // add-mask filter, a decoder) per stream per phase is work on every job's start-up.
  const channels: Partial<Record<'stdout' | 'stderr', OutputChannel>> = {};
  const capture = (name: 'stdout' | 'stderr'): Write =>
    function write(chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean {
      const encoding = typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : 'utf8';
      (channels[name] ??= pipeline.channel(name)).write(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array));
      const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    } as Write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');

  return {
    flush() {
      for (const name of ['stdout', 'stderr'] as const) {
        channels[name]?.end();
        delete channels[name];
      }
    },
    restore() {
      this.flush();
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
