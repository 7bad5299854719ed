import { resolve } from 'node:path';
import { jobSpecLimits } from '../../core/job-spec.ts';
import { defaultMaxChildrenPerJob } from '../../core/job-token-policy.ts';
import { parseMasterKeys, type MasterKey } from '../../core/secret-cipher.ts';
import { parseSourceHostPatterns } from '../definitions/contributor-source-host.ts';

/**
 * The server's settings, parsed once from the environment (and the CLI flags mapped onto the
 * same names), validated, frozen. Nothing else reads process.env. A wrong value fails at start
 * with a message naming the setting.
 */
export interface ServerConfig {
  /** Absent: embedded PGlite under `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly dbPoolSize: number;
  /** Apply pending migrations at start; always on for the embedded database. */
  readonly autoMigrate: boolean;
  readonly maxBodyBytes: number;
  readonly followPollMs: number;
  /**
   * How long a verified token is trusted without a database read; 0 = every request reads.
   * Default 5 s: under any steady use that already saves the second round trip of nearly every
   * request (the API benchmark's status rate rose by about 1.4×), while a revocation made through
   * another replica reaches this one within 5 s (through this one: at once; expiry: on every use).
   */
  readonly tokenCacheMs: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Absent: blobs and log archives go to the local-directory store under `dataDir`. */
  readonly s3: S3StorageConfig | null;
  /** `PUT /v1/blobs` bodies above this are refused with 413. */
  readonly blobMaxBytes: number;
  /** Log archives older than this many days are deleted; 0 keeps them forever. */
  readonly logRetentionDays: number;
  /**
   * Master keys for secrets (REACTORCIDE_SECRET_KEYS), the first current. Null: the embedded
   * server keeps a generated key in the data directory; with DATABASE_URL, secrets are off (503).
   */
  readonly secretKeys: readonly MasterKey[] | null;
  /** Hosts a contributor's https:// source may come from (host names, `*.domain`); empty: uploaded blobs only. */
  readonly contributorSourceHosts: readonly string[];
  /** How many child jobs one job may submit over all its runs. */
  readonly maxChildrenPerJob: number;
}

export interface S3StorageConfig {
  readonly bucket: string;
  readonly endpoint: string | null;
  readonly region: string;
  readonly forcePathStyle: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parseServerConfig(env: Env, cwd: string = process.cwd()): Readonly<ServerConfig> {
  const databaseUrl = env['DATABASE_URL'] === undefined || env['DATABASE_URL'] === '' ? null : env['DATABASE_URL'];
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const logLevel = env['REACTORCIDE_LOG_LEVEL'] ?? 'info';
  if (!(levels as readonly string[]).includes(logLevel)) {
    throw new Error(`REACTORCIDE_LOG_LEVEL must be one of ${levels.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  return Object.freeze({
    databaseUrl,
    dataDir: resolve(cwd, env['REACTORCIDE_DATA_DIR'] || '.reactorcide-data'),
    host: env['REACTORCIDE_HOST'] || '127.0.0.1',
    port: int(env, 'REACTORCIDE_PORT', 7007, 0, 65535),
    dbPoolSize: int(env, 'REACTORCIDE_DB_POOL_SIZE', 10, 1, 1000),
    autoMigrate: databaseUrl === null || bool(env, 'REACTORCIDE_AUTO_MIGRATE', false),
    maxBodyBytes: int(env, 'REACTORCIDE_MAX_BODY_BYTES', jobSpecLimits.maxBodyBytes, 1024, 64 * 1024 * 1024),
    followPollMs: int(env, 'REACTORCIDE_LOG_FOLLOW_POLL_MS', 250, 10, 60_000),
    tokenCacheMs: int(env, 'REACTORCIDE_TOKEN_CACHE_MS', 5000, 0, 300_000),
    logLevel: logLevel as ServerConfig['logLevel'],
    s3: s3Config(env),
    blobMaxBytes: int(env, 'REACTORCIDE_BLOB_MAX_BYTES', 1024 ** 3, 1024, 5 * 1024 ** 3),
    logRetentionDays: int(env, 'REACTORCIDE_LOG_RETENTION_DAYS', 0, 0, 36_500),
    secretKeys: env['REACTORCIDE_SECRET_KEYS'] ? Object.freeze(parseMasterKeys(env['REACTORCIDE_SECRET_KEYS'], 'REACTORCIDE_SECRET_KEYS')) : null,
    contributorSourceHosts: parseSourceHostPatterns(env['REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS']),
    maxChildrenPerJob: int(env, 'REACTORCIDE_MAX_CHILDREN_PER_JOB', defaultMaxChildrenPerJob, 0, 1_000_000),
  });
}

function s3Config(env: Env): S3StorageConfig | null {
  const bucket = env['REACTORCIDE_S3_BUCKET'];
  if (bucket === undefined || bucket === '') return null;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`REACTORCIDE_S3_BUCKET must be a bucket name (3–63 of a-z, 0-9, '.', '-'), got ${JSON.stringify(bucket)}`);
  }
  const endpoint = env['REACTORCIDE_S3_ENDPOINT'] || null;
  if (endpoint !== null && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new Error(`REACTORCIDE_S3_ENDPOINT must be an http(s):// URL, got ${JSON.stringify(endpoint)}`);
  }
  return Object.freeze({
    bucket,
    endpoint,
    region: env['REACTORCIDE_S3_REGION'] || 'us-east-1',
    forcePathStyle: bool(env, 'REACTORCIDE_S3_FORCE_PATH_STYLE', false),
  });
}
