/**
 * One run of a job, through the fixed, ordered phases: fetch source → fetch job code →
 * startup → environment → run → cleanup. A phase that fails skips the rest but cleanup, which
 * always runs. The job script's own exit code passes through (`failed`); a failure of anything
 * around it is `errored`, with the phase and a masked reason; a stop from outside is `cancelled`.
 */
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { coerceError } from '../core/errors.ts';
import type { Phase, PhaseOutcome } from '../core/phases.ts';
import { RUNNER_ERROR_EXIT_CODE, type RunOutcome, type RunSummary } from '../core/run-summary.ts';
import type { RunnerConfig } from './config.ts';
import { runAllHooks, runHooks } from './hooks.ts';
import { JobEnv } from './job-env.ts';
import { publishInProcessRunner } from './job/in-process-runner.ts';
import type { JobInfo } from './job/job-info.ts';
import { SecretMasker, secretNameMatcher, secretsFromEnv } from './masking/index.ts';
import { captureProcessOutput, type Capture } from './output/capture-process-output.ts';
import type { LogSink, OutputPressure } from './output/log-sink.ts';
import { OutputPipeline } from './output/output-pipeline.ts';
import { obtainCode, type ObtainOptions } from './obtain-code.ts';
import { PhaseClock } from './phase-clock.ts';
import { peakRssKb, signalNumber, tempDir } from './process-facts.ts';
import { builtinPlugins } from './plugins/builtins/index.ts';
import { loadPluginDir } from './plugins/load-plugins.ts';
import { orderPlugins } from './plugins/order-plugins.ts';
import type { LoadedPlugin, PluginContext, ScriptResult } from './plugins/plugin.ts';
import { startJobProcess, type JobProcess } from './process/job-process.ts';
import { findJobCommand } from './script/find-job-script.ts';

export type StopSignal = 'SIGTERM' | 'SIGINT';

export interface RunHandle {
  readonly done: Promise<RunSummary>;
  /** Stop the run: the script gets SIGTERM, then SIGKILL after the grace period; cleanup runs. */
  cancel(signal: StopSignal, why?: string): void;
}

class Cancelled extends Error {}

/** What the runner's entry point supplies that the runner may not build itself (it imports no adapters). */
export interface RunDeps {
  readonly openS3?: ObtainOptions['openS3'];
  /** Backpressure from the runner's own output to the job's. */
  readonly pressure?: OutputPressure;
}

export function startRun(
  config: RunnerConfig,
  env: Readonly<Record<string, string | undefined>>,
  sink: LogSink,
  deps: RunDeps = {},
): RunHandle {
  const run = new JobRun(config, env, sink, deps);
  return { done: run.execute(), cancel: (signal, why) => run.cancel(signal, why) };
}

class JobRun {
  private readonly masker: SecretMasker;
  private readonly pipeline: OutputPipeline;
  private readonly clock = new PhaseClock();
  /** Made on first ask (a plugin's ctx.signal, an archive fetch): most runs never need one. */
  private abortController: AbortController | undefined;
  /** The run's own waits on a cancel (setup phases), kept apart from the AbortSignal's listeners. */
  private readonly cancelListeners = new Set<() => void>();
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly jobEnv: JobEnv;
  /** The system temp directory, from the runner's env as os.tmpdir() reads it. */
  private readonly tempDir: string;
  private capture: Capture | undefined;
  private stopSignal: StopSignal | undefined;
  private plugins: LoadedPlugin[] = [];
  private sourceDir = '';
  private jobDir = '';
  private workDir = '';
  private createdWorkDir = false;
  private process: JobProcess | undefined;
  private script: ScriptResult | undefined;
  private error: { phase: Phase; message: string } | undefined;

  constructor(
    private readonly config: RunnerConfig,
    env: Readonly<Record<string, string | undefined>>,
    sink: LogSink,
    private readonly deps: RunDeps,
  ) {
    this.masker = new SecretMasker({ minLength: config.maskMinLength });
    this.pipeline = new OutputPipeline(this.masker, sink);
    const looksSecret = secretNameMatcher(config.secretNamePatterns);
    const secretLike = (name: string, value: string): void => {
      if (value !== '' && looksSecret(name)) this.pipeline.addSecret(name, value);
    };
    this.jobEnv = new JobEnv(env, secretLike);
    this.tempDir = tempDir(env);
    for (const name of config.secretNames) {
      if (env[name] === undefined || env[name] === '') this.pipeline.system(`secret ${name} is not set`);
    }
    for (const [name, value] of secretsFromEnv(env, config.secretNames, config.secretNamePatterns)) {
      this.pipeline.addSecret(name, value);
    }
  }

  cancel(signal: StopSignal, why = `received ${signal}`): void {
    if (this.stopSignal) return;
    this.stopSignal = signal;
    this.pipeline.system(`${why}: stopping the job`);
    this.abortController?.abort(new Cancelled(signal));
    for (const listener of [...this.cancelListeners]) listener();
    void this.process?.stop(this.config.killGraceMs);
  }

  async execute(): Promise<RunSummary> {
    const startedAt = new Date();
    publishInProcessRunner({ mask: (value, name) => this.pipeline.addSecret(name, value), info: this.info() });
    this.capture = captureProcessOutput(this.pipeline);
    try {
      const steps: Array<[Phase, () => Promise<PhaseOutcome | void>]> = [
        ['fetch_source', () => this.fetchSource()],
        ['fetch_job_code', () => this.fetchJobCode()],
        ['startup', () => this.startup()],
        ['environment', () => this.hooksPhase('environment')],
        ['run', () => this.runScript()],
      ];
      let going = true;
      for (const [phase, body] of steps) {
        if (going) going = await this.phase(phase, body);
        else this.clock.skip(phase);
      }
      await this.phase('cleanup', () => this.cleanup());
      return await this.summary(startedAt);
    } finally {
      if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
      this.capture.restore();
      publishInProcessRunner(undefined);
    }
  }

  private async phase(phase: Phase, body: () => Promise<PhaseOutcome | void>): Promise<boolean> {
    this.pipeline.setPhase(phase);
    this.jobEnv.setFact('REACTORCIDE_PHASE', phase);
    this.clock.start(phase);
    this.pipeline.system(`--- ${phase}`);
    try {
      if (this.stopSignal && phase !== 'cleanup') throw new Cancelled();
      const outcome = (await (phase === 'run' || phase === 'cleanup' ? body() : this.unlessCancelled(body()))) ?? 'succeeded';
      this.capture?.flush();
      this.clock.finish(outcome);
      return outcome === 'succeeded' || outcome === 'skipped';
    } catch (err) {
      this.capture?.flush();
      if (err instanceof Cancelled || this.stopSignal) {
        this.clock.finish('cancelled');
        return false;
      }
      const message = this.pipeline.maskText(coerceError(err).message);
      this.error = { phase, message };
      this.pipeline.system(`${phase} errored: ${message}`);
      this.clock.finish('errored', message);
      return false;
    }
  }

  /** A setup phase stops waiting when the run is cancelled; its hook may still be running. */
  private unlessCancelled<T>(work: Promise<T>): Promise<T> {
    work.catch(() => {}); // once abandoned, its failure no longer matters
    return new Promise<T>((resolve, reject) => {
      const onCancel = (): void => reject(new Cancelled());
      this.cancelListeners.add(onCancel);
      work.then(resolve, reject).finally(() => this.cancelListeners.delete(onCancel));
    });
  }

  /** The run's AbortSignal, aborted by cancel(); made when first asked for. */
  private get signal(): AbortSignal {
    if (this.abortController === undefined) {
      this.abortController = new AbortController();
      if (this.stopSignal) this.abortController.abort(new Cancelled(this.stopSignal));
    }
    return this.abortController.signal;
  }

  /**
   * Holds the process open while a hook's promise is pending: signal listeners do not keep Node
   * alive, so a hook awaiting only ctx.signal would otherwise let the process exit mid-run.
   * Only then: a timer is code Node compiles afresh in every process, on every job's clock.
   */
  private readonly holdOpen = (): void => {
    this.keepAlive ??= setInterval(() => {}, 1 << 30);
  };

  private async fetchSource(): Promise<void> {
    // Synchronous: metadata calls on every job's start-up path, cheaper than a thread pool trip.
    // A work dir this run creates is removed as it ends: one of its own in the temp dir, or the
    // one it is given (a dispatcher's run) if it did not exist. One that existed is left as found.
    const given = this.config.workDir;
    this.workDir = given ?? mkdtempSync(join(this.tempDir, `reactorcide-${this.config.jobId}-`));
    this.createdWorkDir = given === undefined || mkdirSync(given, { recursive: true }) !== undefined;
    this.sourceDir = await obtainCode(this.config.source, join(this.workDir, 'source'), this.obtainOptions('source'));
    this.pipeline.system(`source: ${this.sourceDir}`);
    this.setFacts();
  }

  private async fetchJobCode(): Promise<PhaseOutcome> {
    if (this.config.jobCode === undefined) {
      this.jobDir = this.sourceDir;
      this.pipeline.system('job code: the source itself');
      this.setFacts();
      return 'skipped';
    }
    this.jobDir = await obtainCode(this.config.jobCode, join(this.workDir, 'job'), this.obtainOptions('job code'));
    this.pipeline.system(`job code: ${this.jobDir}`);
    this.setFacts();
    return 'succeeded';
  }

  private obtainOptions(what: 'source' | 'job code'): ObtainOptions {
    const run = this; // eslint-disable-line @typescript-eslint/no-this-alias -- a getter's own `this` is the options object
    return {
      what,
      sha256: what === 'source' ? this.config.fetch.sourceSha256 : this.config.fetch.jobCodeSha256,
      settings: this.config.fetch,
      get signal() {
        return run.signal;
      },
      say: (message) => this.pipeline.system(message),
      ...(this.deps.openS3 ? { openS3: this.deps.openS3 } : {}),
    };
  }

  private async startup(): Promise<void> {
    // Plugins come from the job code, never from the source (they are the same tree only when
    // no separate job code was given), and from the operator's plugin directory.
    const found = [
      ...builtinPlugins,
      ...(await loadPluginDir(join(this.jobDir, '.reactorcide', 'plugins'), 'job code plugin', this.holdOpen)),
      ...(this.config.pluginDir ? await loadPluginDir(this.config.pluginDir, 'plugin directory', this.holdOpen) : []),
    ];
    this.plugins = orderPlugins(found);
    this.pipeline.system(`plugins: ${this.plugins.map((p) => p.plugin.name).join(', ')}`);
    await runHooks(this.plugins, 'startup', this.context('startup'), this.holdOpen);
  }

  private async hooksPhase(hook: 'environment'): Promise<void> {
    await runHooks(this.plugins, hook, this.context('environment'), this.holdOpen);
  }

  private async runScript(): Promise<PhaseOutcome> {
    await this.unlessCancelled(runHooks(this.plugins, 'beforeRun', this.context('run'), this.holdOpen));
    const command = await findJobCommand(this.jobDir, this.config.command);
    this.pipeline.system(`running ${command.display}`);
    this.process = startJobProcess({
      argv: command.argv,
      cwd: this.sourceDir,
      env: this.jobEnv.entries(),
      stdout: this.pipeline.channel('stdout'),
      stderr: this.pipeline.channel('stderr'),
      onMask: (value, name) => this.pipeline.addSecret(name, value),
      leftoverGraceMs: Math.min(this.config.killGraceMs, 2000),
      ...(this.deps.pressure ? { pressure: this.deps.pressure } : {}),
    });
    if (this.stopSignal) void this.process.stop(this.config.killGraceMs);
    const exit = await this.process.done;
    this.script = await this.scriptResult(exit.code, exit.signal);
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    this.pipeline.system(`${command.display} ended with ${how}`);

    const failures = await runAllHooks([...this.plugins].reverse(), 'afterRun', this.context('run'), this.holdOpen);
    for (const f of failures) this.pipeline.system(f.message);
    const first = failures[0];
    if (first && this.script.outcome === 'succeeded') throw first;
    return this.script.outcome === 'succeeded' ? 'succeeded' : this.script.outcome === 'cancelled' ? 'cancelled' : 'failed';
  }

  private async scriptResult(code: number | null, signal: NodeJS.Signals | null): Promise<ScriptResult> {
    if (this.stopSignal) return { outcome: 'cancelled', ...(code === null ? {} : { exitCode: code }), ...(signal ? { signal } : {}) };
    if (signal) return { outcome: 'failed', signal, exitCode: 128 + (await signalNumber(signal)) };
    return { outcome: code === 0 ? 'succeeded' : 'failed', exitCode: code ?? 1 };
  }

  /**
   * Always runs: every cleanup hook, in reverse, each even if another throws; bounded in time
   * once a hook is pending (the clock starts then: hooks that return at once need no timer).
   */
  private async cleanup(): Promise<PhaseOutcome> {
    let timer: NodeJS.Timeout | undefined;
    let startClock = (): void => {};
    const timeout = new Promise<PhaseOutcome>((resolve) => {
      startClock = () => {
        this.holdOpen();
        timer ??= setTimeout(() => {
          this.pipeline.system(`cleanup hooks did not finish within ${this.config.cleanupTimeoutMs / 1000} s; leaving them`);
          resolve('errored');
        }, this.config.cleanupTimeoutMs);
      };
    });
    const work = (async (): Promise<PhaseOutcome> => {
      const failures = await runAllHooks([...this.plugins].reverse(), 'cleanup', this.context('cleanup'), () => startClock());
      for (const f of failures) this.pipeline.system(f.message);
      return failures.length === 0 ? 'succeeded' : 'errored';
    })();
    const outcome = await Promise.race([work, timeout]);
    if (timer !== undefined) clearTimeout(timer);
    if (this.createdWorkDir && this.workDir) removeDir(this.workDir);
    return outcome;
  }

  private context(phase: Phase): PluginContext {
    const run = this; // eslint-disable-line @typescript-eslint/no-this-alias -- a getter's own `this` is the context
    return {
      job: this.info(),
      phase,
      env: this.jobEnv,
      mask: (value, name = 'MASKED') => this.pipeline.addSecret(name, value),
      log: (message) => this.pipeline.system(message),
      get signal() {
        return run.signal;
      },
      result: this.script,
    };
  }

  /** Live view of the run's facts: directories are known only once their phases ran. */
  private info(): JobInfo {
    const live = (get: () => string): PropertyDescriptor => ({ get, enumerable: true });
    return Object.defineProperties({ id: this.config.jobId } as JobInfo, {
      sourceDir: live(() => this.sourceDir),
      jobDir: live(() => this.jobDir),
      workDir: live(() => this.workDir),
      phase: live(() => this.pipeline.phase),
    });
  }

  private setFacts(): void {
    this.jobEnv.setFact('REACTORCIDE_JOB_ID', this.config.jobId);
    this.jobEnv.setFact('REACTORCIDE_WORK_DIR', this.workDir);
    if (this.sourceDir) this.jobEnv.setFact('REACTORCIDE_SOURCE_DIR', this.sourceDir);
    if (this.jobDir) this.jobEnv.setFact('REACTORCIDE_JOB_DIR', this.jobDir);
  }

  private async summary(startedAt: Date): Promise<RunSummary> {
    const outcome: RunOutcome = this.stopSignal ? 'cancelled' : this.error ? 'errored' : (this.script?.outcome ?? 'errored');
    const exitCode =
      outcome === 'cancelled'
        ? 128 + ((await signalNumber(this.stopSignal ?? 'SIGTERM')) || 15)
        : outcome === 'errored'
          ? RUNNER_ERROR_EXIT_CODE
          : (this.script?.exitCode ?? RUNNER_ERROR_EXIT_CODE);
    const finishedAt = new Date();
    return {
      jobId: this.config.jobId,
      outcome,
      exitCode,
      ...(this.script?.exitCode !== undefined && !this.script.signal ? { scriptExitCode: this.script.exitCode } : {}),
      ...(this.script?.signal ? { scriptSignal: this.script.signal } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      phases: this.clock.all(),
      runnerMaxRssKb: peakRssKb(),
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

/**
 * Removes the run's work directory. A local run usually leaves it empty, and one rmdir is much
 * cheaper than the recursive walk (whose module loads on first use), on every job's clock.
 */
function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}
