import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.ts';
import type { Readiness, SchemaStatus } from '../../core/ports/readiness.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Any 64-bit number no other code uses as an advisory lock key: "rcmigrat" in ASCII. */
const migrationLockKey = '8243122741573265780';

/**
 * The migrations folder shipped with the package. It sits at the package root, which is two
 * levels above this file in the sources and three in dist/.
 */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    dir = dirname(dir);
    if (existsSync(join(dir, 'migrations', '0001_jobs.sql'))) return join(dir, 'migrations');
  }
  throw new Error('migrations folder not found above ' + fileURLToPath(import.meta.url));
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const found = readdirSync(dir)
    .map((file) => /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2] ?? '', sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  found.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbers must run 1, 2, 3…; found ${m.version} at position ${i + 1}`);
  });
  return found;
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now())`;

/**
 * Applies the migrations not yet recorded, in order, each in its own transaction, under a
 * session advisory lock so that concurrent starters apply each file exactly once. Forward only:
 * a database ahead of this code is refused rather than touched.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  return pgCall(() =>
    db.task('migrate', async (t) => {
      await t.one('SELECT pg_advisory_lock($1)', [migrationLockKey]);
      try {
        await t.none(createTable);
        const done = new Set(
          (await t.manyOrNone<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
        );
        const highest = Math.max(0, ...done);
        if (highest > migrations.length) {
          throw new AppError('conflict', `database schema is at ${highest}, newer than this code (${migrations.length})`);
        }
        const applied: number[] = [];
        for (const m of migrations) {
          if (done.has(m.version)) continue;
          await t.tx(async (tx) => {
            await tx.multi(m.sql);
            await tx.none('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          });
          applied.push(m.version);
        }
        return applied;
      } finally {
        await t.one('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
      }
    }),
  );
}

/** Readiness over the same database: reachable, and migrated up to what this code ships. */
export function createPgReadiness(db: Db, expected: number = loadMigrations().length): Readiness {
  return {
    async schemaStatus(): Promise<SchemaStatus> {
      return pgCall(() =>
        db.task(async (t) => {
          // The table is absent on a database never migrated; a query naming it would fail.
          const present = await t.one<{ p: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS p`);
          if (!present.p) return { applied: 0, expected };
          const row = await t.one<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
          return { applied: Number(row.v), expected };
        }),
      );
    },
  };
}
