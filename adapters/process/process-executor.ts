/**
 * Runs each job's runner as a child process: NDJSON records from its stdout go to the log store
 * as they come; its summary record says how the run ended. A runner that dies without a summary
 * is `errored` with what it printed to stderr (masked with the job's secrets, which the executor
 * holds) as the reason.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../../core/errors.ts';
import { ndjsonLines } from '../../core/ndjson-lines.ts';
import type { LogRecord } from '../../core/log-record.ts';
import type { Execution, ExecutionHooks, ExecutionResult, ExecutionSpec, Executor } from '../../core/ports/executor.ts';
import type { RunSummary } from '../../core/run-summary.ts';
import { SecretMasker } from '../../runner/masking/index.ts';
import { runSecrets } from '../../runner/job/api-env.ts';
import { RecordBatcher } from './record-batcher.ts';
import type { RunnerSpawner, SpawnedRunner } from './runner-spawner.ts';
import { defaultPassThrough, runnerEnv } from './runner-env.ts';
import { parseRunnerLine } from '../../core/runner-line.ts';

export interface ProcessExecutorConfig {
  /** The runner's command line, e.g. [node, …/bin/reactorcide.js, 'run']. */
  readonly runnerCommand: readonly string[];
  /**
   * Each run gets `<workRoot>/<jobId>` as its scratch directory: the runner creates it and removes
   * it as it ends; the executor removes what a runner that did not end by itself left.
   */
  readonly workRoot: string;
  /** After SIGTERM, how long the runner gets (for its own grace and cleanup) before SIGKILL. */
  readonly stopGraceMs: number;
  /** Operator-level runner settings (REACTORCIDE_ALLOW_HTTP, REACTORCIDE_S3_ENDPOINT, …). */
  readonly runnerSettings?: Readonly<Record<string, string>>;
  /** The dispatcher's own environment, read only for the pass-through variables. */
  readonly inheritEnv: Readonly<Record<string, string | undefined>>;
  readonly passThrough?: readonly string[];
  /** Starts runners from a small helper process (see runner-spawner.ts); absent, this process forks them itself. */
  readonly spawner?: RunnerSpawner;
}

export function createProcessExecutor(config: ProcessExecutorConfig): Executor {
  // Runners start in the root, so that no directory of a run need exist before its runner does.
  mkdirSync(config.workRoot, { recursive: true });
  return { start: (spec, hooks) => startRunner(config, spec, hooks) };
}

function startRunner(config: ProcessExecutorConfig, spec: ExecutionSpec, hooks: ExecutionHooks): Execution {
  let cancelled = false;
  let timedOut = false;
  let kill: (() => void) | undefined;
  const masker = new SecretMasker();
  for (const [name, value] of Object.entries(runSecrets(spec))) masker.add(name, value);

  const done = (async (): Promise<ExecutionResult> => {
    const workDir = join(config.workRoot, spec.jobId);
    let env;
    try {
      env = { ...runnerEnv(spec, { workDir, inherit: config.inheritEnv, passThrough: config.passThrough ?? defaultPassThrough }), ...config.runnerSettings };
    } catch (err) {
      return { outcome: 'errored', exitCode: null, reason: masker.maskText(coerceError(err).message), phases: [] };
    }
    const [command, ...args] = config.runnerCommand;
    let child: SpawnedRunner;
    try {
      child = config.spawner
        ? await config.spawner.spawn(command as string, args, { env, cwd: config.workRoot })
        : spawn(command as string, args, { env, cwd: config.workRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      return { outcome: 'errored', exitCode: null, reason: masker.maskText(`the runner could not start: ${coerceError(err).message}`), phases: [] };
    }
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), config.stopGraceMs).unref();
    };
    kill = stop;
    if (cancelled) stop();
    const deadline = spec.timeoutSeconds > 0 ? setTimeout(() => ((timedOut = true), stop()), spec.timeoutSeconds * 1000) : undefined;

    const batcher = new RecordBatcher((records) => hooks.onRecords(records));
    let summary: RunSummary | undefined;
    let stderrTail = '';
    const systemRecord = (text: string): LogRecord => ({ ts: new Date().toISOString(), stream: 'system', phase: 'run', text: masker.maskText(text) });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-4000)));
    const reading = (async () => {
      for await (const line of ndjsonLines(child.stdout)) {
        const parsed = parseRunnerLine(line);
        if (parsed === undefined) batcher.push(systemRecord(`${line}\n`));
        else if ('summary' in parsed) summary = parsed.summary;
        else batcher.push(parsed);
      }
    })().catch(() => {}); // a runner that never started has no output to read
    child.stdin.on('error', () => {}); // the runner may be gone before we close it

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(deadline);
    await reading;
    child.stdin.destroy();
    if (stderrTail.trim() !== '') batcher.push(systemRecord(`runner stderr: ${stderrTail.trim()}\n`));
    // A runner that was stopped, or died, may not have removed its work dir.
    const leftovers = summary === undefined || timedOut || cancelled ? rm(workDir, { recursive: true, force: true }).catch(() => {}) : undefined;
    await batcher.drain();
    await leftovers;

    const phases = summary?.phases ?? [];
    if (timedOut) return { outcome: 'timed_out', exitCode: exit.code, reason: `stopped after the ${spec.timeoutSeconds} s timeout`, phases };
    if (summary) {
      const reason = summary.error ? `${summary.error.phase}: ${summary.error.message}` : undefined;
      return { outcome: summary.outcome, exitCode: summary.exitCode, ...(reason ? { reason } : {}), phases };
    }
    if (cancelled) return { outcome: 'cancelled', exitCode: exit.code, reason: 'cancelled before the runner reported', phases };
    const how = exit.error ? `could not start: ${exit.error.message}` : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
    return { outcome: 'errored', exitCode: exit.code, reason: masker.maskText(`the runner ${how} without a summary${tail ? `: ${tail}` : ''}`), phases };
  })();

  return {
    done,
    cancel() {
      cancelled = true;
      kill?.();
    },
  };
}
