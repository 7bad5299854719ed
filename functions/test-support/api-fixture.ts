import type { OpenAPIHono } from '@hono/zod-openapi';
import { openMigratedPglite } from '../../adapters/pglite/test-support/migrated-pglite.ts';
import type { Db } from '../../adapters/postgres/database.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Role } from '../../core/roles.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger, type Deps } from '../deps.ts';
import type { AppEnv } from '../http/app-env.ts';
import { createApp } from '../http/create-app.ts';

export interface ApiFixture {
  readonly app: OpenAPIHono<AppEnv>;
  readonly deps: Deps;
  readonly db: Db;
  /** A live token per role. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** `app.request` with a role's bearer token and JSON encoding of `body`. */
  call(role: Role | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const testSettings = { maxBodyBytes: 64 * 1024, followPollMs: 20 };

/** A fresh database: a new one on the Postgres server, or embedded PGlite in a temporary directory. */
export async function freshDatabase(backend: 'postgres' | 'pglite'): Promise<{ db: Db; close: () => Promise<void> }> {
  if (backend === 'postgres') {
    const t = await createTestDatabase();
    return { db: t.db, close: () => t.drop() };
  }
  return openMigratedPglite('rc-api-pglite-');
}

/** An app over a fresh database for one test file, with one token per role. */
export async function createApiFixture(backend: 'postgres' | 'pglite' = 'postgres'): Promise<ApiFixture> {
  const database = await freshDatabase(backend);
  const deps = pgDeps(database.db, testSettings, silentLogger, { prepared: true });
  const app = createApp(deps);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
    tokens[role] = (await deps.tokens.create({ name: role, role, expiresAt: null, createdBy: null })).token;
  }
  return {
    app,
    deps,
    db: database.db,
    tokens,
    call(role, method, path, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (role !== null) h['authorization'] = `Bearer ${tokens[role]}`;
      if (body !== undefined) h['content-type'] ??= 'application/json';
      const init: RequestInit = { method, headers: h };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      return Promise.resolve(app.request(path, init));
    },
    close: () => database.close(),
  };
}

export const minimalSpec = { source: { kind: 'tarball', url: 'https://example.com/src.tar.gz' } };
