/**
 * The runner as a process: settings from the environment, output to stdout/stderr, the exit code
 * of the run. A container starts it with env alone; `reactorcide run` sets the same variables
 * from its flags first. SIGTERM or SIGINT cancels the run (cleanup still runs); a second one
 * stops waiting for cleanup.
 */
import { toAppError } from '../core/errors.ts';
import { RUNNER_ERROR_EXIT_CODE } from '../core/run-summary.ts';
import { parseRunnerConfig, type FetchSettings } from './config.ts';
import type { OpenS3 } from './fetch/index.ts';
import { processOutputPressure, processWriters } from './output/log-sink.ts';
import { ndjsonSink } from './output/ndjson-sink.ts';
import { textSink } from './output/text-sink.ts';
import { startRun } from './run-job.ts';

/** The S3 SDK loads only when an s3:// URL is fetched: it is large, and most runs never need it. */
const openS3 = async (s: FetchSettings): Promise<OpenS3> => {
  const { createS3Client, createS3Opener } = await import('../adapters/s3/index.ts');
  return createS3Opener(
    createS3Client({
      ...(s.s3Endpoint ? { endpoint: s.s3Endpoint } : {}),
      ...(s.s3Region ? { region: s.s3Region } : {}),
      forcePathStyle: s.s3ForcePathStyle,
    }),
  );
};

export async function runnerMain(env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<number> {
  let config;
  try {
    config = parseRunnerConfig(env, cwd);
  } catch (err) {
    process.stderr.write(`reactorcide: ${toAppError(err).message === 'internal error' ? String(err) : toAppError(err).message}\n`);
    return RUNNER_ERROR_EXIT_CODE;
  }
  // A reader that went away (a killed dispatcher, a closed pipe) must not crash the runner
  // with EPIPE before it has stopped the job and cleaned up; the output is lost, the job is not.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const writers = processWriters();
  const color = config.logFormat === 'text' && process.stderr.isTTY === true && env.NO_COLOR === undefined;
  const sink = config.logFormat === 'ndjson' ? ndjsonSink(writers) : textSink(writers, { color });
  const run = startRun(config, env, sink, { openS3, pressure: processOutputPressure() });

  let signals = 0;
  const onSignal = (signal: 'SIGTERM' | 'SIGINT'): void => {
    signals++;
    if (signals === 1) run.cancel(signal);
    else process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (config.stopOnStdinEnd) {
    process.stdin.on('error', () => {});
    process.stdin.on('close', () => run.cancel('SIGTERM', 'the process that started the runner went away'));
    process.stdin.resume();
  }

  const summary = await run.done;
  sink.summary(summary);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  if (config.stopOnStdinEnd) process.stdin.destroy();
  await flushed(process.stdout);
  await flushed(process.stderr);
  return summary.exitCode;
}

/**
 * Resolves once everything written so far has left the process. A pipe whose reader is slower
 * than the job queues writes inside Node, and exiting before they drain would cut the log —
 * losing its end, the summary included.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    // Nothing queued (a pipe or file on Linux is written synchronously): no write to wait on.
    if (stream.destroyed || !stream.writable || stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
  });
}
