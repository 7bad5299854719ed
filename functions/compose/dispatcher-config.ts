/**
 * The dispatcher's settings, parsed once from the environment, validated and frozen. A wrong
 * value fails at start with a message that names the setting.
 */
import { join } from 'node:path';
import { invalidInput } from '../../core/errors.ts';
import { runnerEnv } from '../../runner/config.ts';

export interface DispatcherConfig {
  /** Run the dispatcher inside `reactorcide serve`. */
  readonly enabled: boolean;
  readonly queues: readonly string[];
  readonly maxRuns: number;
  readonly leaseSeconds: number;
  readonly executor: 'process' | 'kubernetes';
  /** `host:port` of Corndogs; absent: the table queue in the job database. */
  readonly corndogsAddress: string | null;
  /** Where local runs keep their scratch directories. */
  readonly workRoot: string;
  /** Runner settings every job gets (REACTORCIDE_ALLOW_HTTP, REACTORCIDE_S3_*), passed through as they are. */
  readonly runnerSettings: Readonly<Record<string, string>>;
  /**
   * The API URL jobs are given (with a job token) to submit and watch child jobs, as reachable
   * from where jobs run. Null: `serve` gives its own address; a dispatcher alone gives none.
   */
  readonly jobApiUrl: string | null;
}

/** The runner's operator-level settings: how it fetches and masks, not what a job runs. */
const runnerPassThrough = [
  runnerEnv.allowHttp,
  runnerEnv.s3Endpoint,
  runnerEnv.s3Region,
  runnerEnv.s3ForcePathStyle,
  runnerEnv.fetchMaxFiles,
  runnerEnv.fetchMaxBytes,
  runnerEnv.killGrace,
  runnerEnv.cleanupTimeout,
  runnerEnv.maskMinLength,
  runnerEnv.secretNamePatterns,
];

export function parseDispatcherConfig(env: Readonly<Record<string, string | undefined>>, dataDir: string): DispatcherConfig {
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw invalidInput(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const enabledRaw = (get('REACTORCIDE_DISPATCHER') ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(enabledRaw)) throw invalidInput(`REACTORCIDE_DISPATCHER must be true or false, got ${JSON.stringify(enabledRaw)}`);
  const executor = get('REACTORCIDE_EXECUTOR') ?? 'process';
  if (executor !== 'process' && executor !== 'kubernetes') {
    throw invalidInput(`REACTORCIDE_EXECUTOR must be "process" or "kubernetes", got ${JSON.stringify(executor)}`);
  }
  const queues = (get('REACTORCIDE_DISPATCHER_QUEUES') ?? 'default').split(',').map((q) => q.trim()).filter(Boolean);
  if (queues.length === 0) throw invalidInput('REACTORCIDE_DISPATCHER_QUEUES names no queue');
  const jobApiUrl = get('REACTORCIDE_JOB_API_URL') ?? null;
  if (jobApiUrl !== null && !/^https?:\/\/[^/\s]+/.test(jobApiUrl)) {
    throw invalidInput(`REACTORCIDE_JOB_API_URL must be an http:// or https:// URL, got ${JSON.stringify(jobApiUrl)}`);
  }
  return Object.freeze({
    enabled: enabledRaw === 'true' || enabledRaw === '1',
    queues: Object.freeze(queues),
    maxRuns: int('REACTORCIDE_MAX_RUNS', 4, 1, 1000),
    leaseSeconds: int('REACTORCIDE_LEASE_SECONDS', 30, 2, 3600),
    executor,
    corndogsAddress: get('CORNDOGS_ADDRESS') ?? null,
    workRoot: get('REACTORCIDE_RUNS_DIR') ?? join(dataDir, 'runs'),
    jobApiUrl: jobApiUrl?.replace(/\/+$/, '') ?? null,
    runnerSettings: Object.freeze(Object.fromEntries(runnerPassThrough.flatMap((n) => (get(n) === undefined ? [] : [[n, get(n) as string]])))),
  });
}
