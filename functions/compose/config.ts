import { resolve } from 'node:path';
import { jobSpecLimits } from '../../core/job-spec.ts';

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
}

export const serverSettings = [
  ['DATABASE_URL', '(embedded PGlite)', 'Postgres URL; without it the API keeps its data in PGlite under REACTORCIDE_DATA_DIR'],
  ['REACTORCIDE_DATA_DIR', '.reactorcide-data', 'data directory of the embedded database (`<dir>/pglite`)'],
  ['REACTORCIDE_HOST', '127.0.0.1', 'address the API listens on (`0.0.0.0` in a pod)'],
  ['REACTORCIDE_PORT', '7007', 'port the API listens on'],
  ['REACTORCIDE_DB_POOL_SIZE', '10', 'database connections per API process'],
  ['REACTORCIDE_AUTO_MIGRATE', 'false', 'apply pending migrations at start (always on for the embedded database)'],
  ['REACTORCIDE_MAX_BODY_BYTES', String(jobSpecLimits.maxBodyBytes), 'request bodies above this are refused with 413'],
  ['REACTORCIDE_LOG_FOLLOW_POLL_MS', '250', 'how often `?follow=true` polls for new log records'],
  ['REACTORCIDE_TOKEN_CACHE_MS', '5000', 'trust a verified token this long without a database read (a revocation through another replica applies within this); 0 = off'],
  ['REACTORCIDE_LOG_LEVEL', 'info', 'server log level (fatal…trace, silent)'],
] as const;

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
  });
}
