/**
 * The runner's settings, read once from its environment (so a container can start it with env
 * alone) and frozen. The CLI's flags are turned into the same variables before this runs, so
 * there is exactly one way in. Nothing else in the runner reads process.env.
 */
import { resolve } from 'node:path';
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
  /** How archive URLs are fetched (ignored for local directories). */
  readonly fetch: FetchSettings;
  /**
   * Cancel the run when stdin reaches its end: an executor that spawns the runner keeps stdin
   * open, so if the dispatcher dies — even by SIGKILL — the job stops instead of running on
   * unsupervised, and cannot end up running twice once the job is retried.
   */
  readonly stopOnStdinEnd: boolean;
}

export interface FetchSettings {
  /** Expected sha256 (hex) of the source archive; a mismatch is `errored` and leaves nothing. */
  readonly sourceSha256: string | undefined;
  readonly jobCodeSha256: string | undefined;
  /** Extract the single top-level directory's contents (what VCS hosts' archives wrap things in). */
  readonly stripTopLevel: boolean;
  /** Plain http:// URLs are refused unless allowed. */
  readonly allowHttp: boolean;
  readonly maxFiles: number | undefined;
  /** Uncompressed bytes an archive may expand to. */
  readonly maxBytes: number | undefined;
  /** For s3:// URLs: an S3-compatible endpoint (omit for AWS), region, and path-style addressing. */
  readonly s3Endpoint: string | undefined;
  readonly s3Region: string | undefined;
  readonly s3ForcePathStyle: boolean;
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
  sourceSha256: 'REACTORCIDE_SOURCE_SHA256',
  jobCodeSha256: 'REACTORCIDE_JOB_CODE_SHA256',
  stripTopLevel: 'REACTORCIDE_STRIP_TOP_LEVEL',
  allowHttp: 'REACTORCIDE_ALLOW_HTTP',
  fetchMaxFiles: 'REACTORCIDE_FETCH_MAX_FILES',
  fetchMaxBytes: 'REACTORCIDE_FETCH_MAX_BYTES',
  s3Endpoint: 'REACTORCIDE_S3_ENDPOINT',
  s3Region: 'REACTORCIDE_S3_REGION',
  s3ForcePathStyle: 'REACTORCIDE_S3_FORCE_PATH_STYLE',
  stopOnStdinEnd: 'REACTORCIDE_STOP_ON_STDIN_END',
} as const;

/** The runner's control variables are consumed here and never handed on to the job. */
export const isRunnerControlVar = (name: string): boolean =>
  (Object.values(runnerEnv) as string[]).includes(name);

type Env = Readonly<Record<string, string | undefined>>;

/** A code location given as a URL (`https://…`, `s3://…`, `file://…`) rather than a directory. */
// Both cases spelled out rather than the `i` flag: a case-insensitive class makes V8 build its
// case closure through ICU, about a third of a millisecond of every run's start.
export const isUrl = (location: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);

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

  const bool = (name: string): boolean => {
    const raw = get(name)?.toLowerCase();
    if (raw === undefined || raw === 'false' || raw === '0' || raw === 'no') return false;
    if (raw === 'true' || raw === '1' || raw === 'yes') return true;
    throw invalidInput(`${name} must be true or false, got ${JSON.stringify(get(name))}`);
  };
  const count = (name: string): number | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw invalidInput(`${name} must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
    return n;
  };
  const sha256 = (name: string): string | undefined => {
    const raw = get(name)?.toLowerCase().replace(/^sha256:/, '');
    if (raw !== undefined && !/^[0-9a-f]{64}$/.test(raw)) throw invalidInput(`${name} must be 64 hex digits (a sha256), got ${JSON.stringify(get(name))}`);
    return raw;
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
  // A local id only tells runs apart; node:crypto would cost the runner's start-up more than it buys.
  const jobId = get(runnerEnv.jobId) ?? `local-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 8)}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(jobId)) {
    throw invalidInput(`${runnerEnv.jobId} must be 1–128 letters, digits, '_', '.' or '-', got ${JSON.stringify(jobId)}`);
  }

  const local = (v: string | undefined): string | undefined =>
    v === undefined || isUrl(v) ? v : resolve(cwd, v);

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
    fetch: Object.freeze({
      sourceSha256: sha256(runnerEnv.sourceSha256),
      jobCodeSha256: sha256(runnerEnv.jobCodeSha256),
      stripTopLevel: bool(runnerEnv.stripTopLevel),
      allowHttp: bool(runnerEnv.allowHttp),
      maxFiles: count(runnerEnv.fetchMaxFiles),
      maxBytes: count(runnerEnv.fetchMaxBytes),
      s3Endpoint: get(runnerEnv.s3Endpoint),
      s3Region: get(runnerEnv.s3Region),
      s3ForcePathStyle: bool(runnerEnv.s3ForcePathStyle),
    }),
    stopOnStdinEnd: bool(runnerEnv.stopOnStdinEnd),
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
