/**
 * The runner's settings, read once from its environment (so a container can start it with env
 * alone) and frozen. The CLI's flags are turned into the same variables before this runs, so
 * there is exactly one way in. Nothing else in the runner reads process.env.
 */
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { invalidInput } from '../core/errors.ts';

export type LogFormat = 'text' | 'ndjson';

/** A command to run instead of the job script: an argv (no shell) or a string for `sh -c`. */
export type ExplicitCommand = { readonly argv: readonly string[] } | { readonly shell: string };

export interface RunnerConfig {
  readonly jobId: string;
  /** A directory or archive URL holding the code to act on. */
  readonly source: string;
  /** A directory or archive URL holding the code that does the job; the source when not given. */
  readonly jobCode: string | undefined;
  readonly command: ExplicitCommand | undefined;
  /** Where fetched archives and scratch files go; a fresh temporary directory when not given. */
  readonly workDir: string | undefined;
  readonly pluginDir: string | undefined;
  /** Names of env vars whose values are secret, on top of those matched by `secretNamePatterns`. */
  readonly secretNames: readonly string[];
  /** Globs over env var names that mark a value secret; undefined means the engine's defaults. */
  readonly secretNamePatterns: readonly string[] | undefined;
  readonly maskMinLength: number;
  readonly logFormat: LogFormat;
  /** How long the job may take to exit after SIGTERM before its process group is killed. */
  readonly killGraceMs: number;
  /** How long cleanup hooks may take in all, after which the runner exits regardless. */
  readonly cleanupTimeoutMs: number;
}

/** Every variable the runner reads, documented in the README's configuration table. */
export const runnerEnv = {
  jobId: 'REACTORCIDE_JOB_ID',
  source: 'REACTORCIDE_SOURCE',
  jobCode: 'REACTORCIDE_JOB_CODE',
  command: 'REACTORCIDE_COMMAND',
  workDir: 'REACTORCIDE_WORK_DIR',
  pluginDir: 'REACTORCIDE_PLUGIN_DIR',
  secretNames: 'REACTORCIDE_SECRET_NAMES',
  secretNamePatterns: 'REACTORCIDE_SECRET_NAME_PATTERNS',
  maskMinLength: 'REACTORCIDE_MASK_MIN_LENGTH',
  logFormat: 'REACTORCIDE_LOG_FORMAT',
  killGrace: 'REACTORCIDE_KILL_GRACE_SECONDS',
  cleanupTimeout: 'REACTORCIDE_CLEANUP_TIMEOUT_SECONDS',
} as const;

/** The runner's control variables are consumed here and never handed on to the job. */
export const isRunnerControlVar = (name: string): boolean =>
  (Object.values(runnerEnv) as string[]).includes(name);

type Env = Readonly<Record<string, string | undefined>>;

export function parseRunnerConfig(env: Env, cwd: string): RunnerConfig {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const list = (name: string): string[] | undefined =>
    get(name)
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const seconds = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback * 1000;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw invalidInput(`${name} must be a number of seconds ≥ 0, got ${JSON.stringify(raw)}`);
    return Math.round(n * 1000);
  };

  const format = get(runnerEnv.logFormat) ?? 'text';
  if (format !== 'text' && format !== 'ndjson') {
    throw invalidInput(`${runnerEnv.logFormat} must be "text" or "ndjson", got ${JSON.stringify(format)}`);
  }
  const minRaw = get(runnerEnv.maskMinLength);
  const maskMinLength = minRaw === undefined ? 6 : Number(minRaw);
  if (!Number.isInteger(maskMinLength) || maskMinLength < 1) {
    throw invalidInput(`${runnerEnv.maskMinLength} must be a whole number ≥ 1, got ${JSON.stringify(minRaw)}`);
  }
  const jobId = get(runnerEnv.jobId) ?? `local-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(jobId)) {
    throw invalidInput(`${runnerEnv.jobId} must be 1–128 letters, digits, '_', '.' or '-', got ${JSON.stringify(jobId)}`);
  }

  const local = (v: string | undefined): string | undefined =>
    v === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : resolve(cwd, v);

  return Object.freeze({
    jobId,
    source: local(get(runnerEnv.source)) ?? cwd,
    jobCode: local(get(runnerEnv.jobCode)),
    command: parseCommand(get(runnerEnv.command)),
    workDir: local(get(runnerEnv.workDir)),
    pluginDir: local(get(runnerEnv.pluginDir)),
    secretNames: Object.freeze(list(runnerEnv.secretNames) ?? []),
    secretNamePatterns: list(runnerEnv.secretNamePatterns),
    maskMinLength,
    logFormat: format,
    killGraceMs: seconds(runnerEnv.killGrace, 10),
    cleanupTimeoutMs: seconds(runnerEnv.cleanupTimeout, 30),
  });
}

/** `["npm","test"]` is an argv run without a shell; anything else is a line for `sh -c`. */
function parseCommand(raw: string | undefined): ExplicitCommand | undefined {
  if (raw === undefined) return undefined;
  if (raw.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw invalidInput(`${runnerEnv.command} starts with '[' but is not a JSON array of strings`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string')) {
      throw invalidInput(`${runnerEnv.command} must be a non-empty JSON array of strings or a shell command line`);
    }
    return Object.freeze({ argv: Object.freeze(parsed as string[]) });
  }
  return Object.freeze({ shell: raw });
}
