import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Role } from '../../core/roles.ts';
import { createApiFixture, minimalSpec, type ApiFixture } from '../test-support/api-fixture.ts';

let f: ApiFixture;
let jobId: string;
before(async () => {
  f = await createApiFixture();
  jobId = ((await (await f.call('admin', 'POST', '/v1/jobs', minimalSpec)).json()) as { id: string }).id;
});
after(() => f.close());

type Who = Role | 'none' | 'garbage' | 'revoked' | 'expired';
const everyone: Who[] = ['admin', 'maintainer', 'contributor', 'viewer', 'none', 'garbage', 'revoked', 'expired'];

interface RouteCase {
  readonly name: string;
  readonly allowed: readonly Role[];
  /** Fresh per call so that a cancel or revoke by one role does not change what the next sees. */
  readonly request: () => Promise<{ method: string; path: string; body?: unknown }>;
  readonly ok: number;
  /** Statuses that differ from the role table: a contributor gets 404 for a job it did not submit. */
  readonly except?: Partial<Record<Role, number>>;
}

const routes: RouteCase[] = [
  { name: 'submit', allowed: ['admin', 'maintainer'], ok: 201, request: async () => ({ method: 'POST', path: '/v1/jobs', body: minimalSpec }) },
  { name: 'status', allowed: ['admin', 'maintainer', 'contributor', 'viewer'], ok: 200, except: { contributor: 404 }, request: async () => ({ method: 'GET', path: `/v1/jobs/${jobId}` }) },
  { name: 'list', allowed: ['admin', 'maintainer', 'contributor', 'viewer'], ok: 200, request: async () => ({ method: 'GET', path: '/v1/jobs' }) },
  { name: 'logs', allowed: ['admin', 'maintainer', 'contributor', 'viewer'], ok: 200, except: { contributor: 404 }, request: async () => ({ method: 'GET', path: `/v1/jobs/${jobId}/logs` }) },
  {
    name: 'cancel',
    allowed: ['admin', 'maintainer', 'contributor'],
    ok: 200,
    except: { contributor: 404 },
    request: async () => {
      const { job } = await f.deps.jobs.submit({ spec: { ...(await freshSpec()) }, submittedBy: null });
      return { method: 'POST', path: `/v1/jobs/${job.id}/cancel` };
    },
  },
  { name: 'create token', allowed: ['admin'], ok: 201, request: async () => ({ method: 'POST', path: '/v1/tokens', body: { name: 'x', role: 'viewer' } }) },
  {
    name: 'revoke token',
    allowed: ['admin'],
    ok: 204,
    request: async () => {
      const { info } = await f.deps.tokens.create({ name: 'victim', role: 'viewer', expiresAt: null, createdBy: null });
      return { method: 'DELETE', path: `/v1/tokens/${info.id}` };
    },
  },
];

async function freshDefinition(): Promise<string> {
  const def = await f.deps.definitions.create({
    name: `matrix-${Math.random().toString(36).slice(2, 10)}`,
    body: { jobCode: { url: 'https://example.com/job.tgz', sha256: 'a'.repeat(64) }, secrets: [], secretsByRole: {}, params: {}, caps: { timeout: 60 }, roles: ['contributor'] },
    createdBy: null,
  });
  return `/v1/definitions/${def.name}/versions/${def.version}`;
}

const definitionBody = { name: 'matrix', jobCode: { url: 'https://example.com/job.tgz', sha256: 'b'.repeat(64) }, caps: { timeout: 60 }, roles: ['contributor'] };
routes.push(
  { name: 'create definition', allowed: ['admin', 'maintainer'], ok: 201, request: async () => ({ method: 'POST', path: '/v1/definitions', body: definitionBody }) },
  { name: 'list definitions', allowed: ['admin', 'maintainer', 'contributor', 'viewer'], ok: 200, request: async () => ({ method: 'GET', path: '/v1/definitions' }) },
  { name: 'get definition', allowed: ['admin', 'maintainer', 'contributor', 'viewer'], ok: 200, request: async () => ({ method: 'GET', path: await freshDefinition() }) },
  { name: 'approve definition', allowed: ['admin', 'maintainer'], ok: 200, request: async () => ({ method: 'POST', path: `${await freshDefinition()}/approve` }) },
  { name: 'revoke definition', allowed: ['admin', 'maintainer'], ok: 200, request: async () => ({ method: 'POST', path: `${await freshDefinition()}/revoke` }) },
);

async function freshSpec() {
  return { source: { kind: 'tarball' as const, url: 'https://example.com/a.tgz' }, env: {}, secrets: [], resources: {}, timeout: 60, priority: 0, queue: 'default', labels: {}, dependsOn: [] };
}

async function bearer(who: Who): Promise<string | null> {
  switch (who) {
    case 'none':
      return null;
    case 'garbage':
      return 'rct_' + 'A'.repeat(43);
    case 'revoked': {
      const { token, info } = await f.deps.tokens.create({ name: 'r', role: 'admin', expiresAt: null, createdBy: null });
      await f.deps.tokens.revoke(info.id);
      return token;
    }
    case 'expired':
      return (await f.deps.tokens.create({ name: 'e', role: 'admin', expiresAt: new Date(Date.now() - 1).toISOString(), createdBy: null })).token;
    case 'admin':
    case 'maintainer':
    case 'contributor':
    case 'viewer':
      return f.tokens[who];
  }
}

for (const route of routes) {
  for (const who of everyone) {
    const expected = route.except?.[who as Role] ?? ((route.allowed as readonly string[]).includes(who) ? route.ok : (['none', 'garbage', 'revoked', 'expired'] as const).includes(who as 'none') ? 401 : 403);
    test(`${route.name} as ${who} → ${expected}`, async () => {
      const { method, path, body } = await route.request();
      const token = await bearer(who);
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
      const res = await f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      assert.equal(res.status, expected);
      if (expected >= 400) {
        const err = ((await res.json()) as { error: { code: string; message: string } }).error;
        assert.equal(err.code, expected === 401 ? 'unauthorized' : expected === 404 ? 'not_found' : 'forbidden');
        if (who === 'contributor' && route.name === 'submit') assert.match(err.message, /contributors may only run approved job definitions/);
      }
    });
  }
}

test('a forbidden request is refused before its body is looked at', async () => {
  const res = await f.call('viewer', 'POST', '/v1/jobs', '{not json');
  assert.equal(res.status, 403);
});
