import type { OpenAPIHono } from '@hono/zod-openapi';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Role } from '../../core/roles.ts';
import { pgDeps } from '../compose/pg-deps.ts';
import { silentLogger, type Deps } from '../deps.ts';
import type { AppEnv } from '../http/app-env.ts';
import { createApp } from '../http/create-app.ts';

export interface ApiFixture {
  readonly app: OpenAPIHono<AppEnv>;
  readonly deps: Deps;
  readonly database: TestDatabase;
  /** A live token per role. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** `app.request` with a role's bearer token and JSON encoding of `body`. */
  call(role: Role | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const testSettings = { maxBodyBytes: 64 * 1024, followPollMs: 20 };

/** An app over a fresh Postgres database for one test file, with one token per role. */
export async function createApiFixture(): Promise<ApiFixture> {
  const database = await createTestDatabase();
  const deps = pgDeps(database.db, testSettings, silentLogger, { prepared: true });
  const app = createApp(deps);
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
    tokens[role] = (await deps.tokens.create({ name: role, role, expiresAt: null, createdBy: null })).token;
  }
  return {
    app,
    deps,
    database,
    tokens,
    call(role, method, path, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (role !== null) h['authorization'] = `Bearer ${tokens[role]}`;
      if (body !== undefined) h['content-type'] ??= 'application/json';
      const init: RequestInit = { method, headers: h };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      return Promise.resolve(app.request(path, init));
    },
    close: () => database.drop(),
  };
}

export const minimalSpec = { source: { kind: 'tarball', url: 'https://example.com/src.tar.gz' } };
