import type { OpenAPIHono } from '@hono/zod-openapi';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDefinition } from '../../core/job-definition.ts';
import type { Role } from '../../core/roles.ts';
import { parseServerConfig } from '../compose/config.ts';
import { openObjectStorage } from '../compose/object-storage.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/app-env.ts';
import { createApp } from '../http/create-app.ts';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';

/** The API fixture plus blob storage in a temporary directory, and the steps of the definition flow. */
export interface DefinitionFixture extends ApiFixture {
  readonly app: OpenAPIHono<AppEnv>;
  readonly deps: Deps;
  upload(role: Role, tarball: Buffer): Promise<{ url: string; sha256: string }>;
  /** Creates a version as the maintainer and (unless `approve: false`) approves it. */
  define(body: Record<string, unknown>, options?: { approve?: boolean }): Promise<JobDefinition>;
}

export async function createDefinitionFixture(backend: 'postgres' | 'pglite' = 'postgres'): Promise<DefinitionFixture> {
  const base = await createApiFixture(backend);
  const dir = mkdtempSync(join(tmpdir(), 'rc-definitions-'));
  const deps: Deps = { ...base.deps, storage: openObjectStorage(parseServerConfig({}, dir)) };
  const app = createApp(deps);
  const call: ApiFixture['call'] = (role, method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (role !== null) h['authorization'] = `Bearer ${base.tokens[role]}`;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const init: RequestInit = { method, headers: h };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(app.request(path, init));
  };
  const f: DefinitionFixture = {
    ...base,
    app,
    deps,
    call,
    async upload(role, tarball) {
      const res = await app.request('/v1/blobs', {
        method: 'PUT',
        headers: { authorization: `Bearer ${base.tokens[role]}`, 'content-type': 'application/octet-stream', 'content-length': String(tarball.length) },
        body: tarball,
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`upload as ${role}: ${res.status} ${await res.text()}`);
      const { url, sha256 } = (await res.json()) as { url: string; sha256: string };
      return { url, sha256 };
    },
    async define(body, options = {}) {
      const res = await call('maintainer', 'POST', '/v1/definitions', body);
      if (res.status !== 201) throw new Error(`create definition: ${res.status} ${await res.text()}`);
      const def = (await res.json()) as JobDefinition;
      if (options.approve === false) return def;
      const ok = await call('maintainer', 'POST', `/v1/definitions/${def.name}/versions/${def.version}/approve`);
      if (ok.status !== 200) throw new Error(`approve: ${ok.status} ${await ok.text()}`);
      return (await ok.json()) as JobDefinition;
    },
    async close() {
      await base.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}
