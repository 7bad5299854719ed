/**
 * A job token is held to its submitter's role: the token of a contributor's run submits only
 * what a contributor may (approved definitions, source and params), and on top of that only
 * what its parent has. Tokens are minted as the dispatcher mints them; the job is put in the
 * state a run would be in, so the API is exercised without running anything.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgJobTokenStore } from '../../adapters/postgres/job-token-store.ts';
import type { Job } from '../../core/job.ts';
import { maxChildJobDepth } from '../../core/job-token-policy.ts';
import { makeTar } from '../../runner/fetch/test-support/tarballs.ts';
import { createApp } from './create-app.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
let source: { kind: 'tarball'; url: string; sha256: string };
before(async () => {
  f = await createDefinitionFixture();
  const jobCode = await f.upload('maintainer', await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo hi\n' }]));
  source = { kind: 'tarball', ...(await f.upload('contributor', await makeTar([{ header: { name: 'README' }, body: 'pr\n' }]))) };
  const common = { jobCode, entrypoint: { script: 'reactorcide_job.sh' }, params: {}, caps: { timeout: 600 }, roles: ['contributor', 'maintainer'] };
  await f.define({ ...common, name: 'lint', secrets: [] });
  await f.define({ ...common, name: 'deploy', secrets: ['NPM_TOKEN'], secretsByRole: { contributor: ['NPM_TOKEN'] } });
});
after(() => f.close());

const as = (token: string, method: string, path: string, body?: unknown): Promise<Response> =>
  Promise.resolve(
    f.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

async function submitted(res: Response): Promise<Job> {
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Job;
}

async function refused(res: Response, status: number, field?: string): Promise<void> {
  const body = (await res.json()) as { error: { field?: string } };
  assert.equal(res.status, status, JSON.stringify(body));
  if (field !== undefined) assert.equal(body.error.field, field, JSON.stringify(body));
}

test("a contributor's job token submits only what a contributor may, and no more than its parent has", async () => {
  const parent = await submitted(await f.call('contributor', 'POST', '/v1/jobs', { definition: 'lint@1', source }));
  const unrelated = await submitted(await f.call('contributor', 'POST', '/v1/jobs', { definition: 'lint@1', source }));
  await f.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [parent.id]);
  const minted = await createPgJobTokenStore(f.db).mint({ jobId: parent.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
  assert.ok(minted);
  assert.equal(minted.role, 'contributor');
  const token = minted.token;

  // Contributor rules first: a plain spec is not for contributors, job token or not.
  await refused(await as(token, 'POST', '/v1/jobs', { source, command: ['sh', '-c', 'env'] }), 403);
  // Then the parent's limits: this definition hands contributors a secret the parent never got.
  await refused(await as(token, 'POST', '/v1/jobs', { definition: 'deploy@1', source }), 403, 'spec.secrets[0]');
  const child = await submitted(await as(token, 'POST', '/v1/jobs', { definition: 'lint@1', source }));
  assert.equal(child.parentId, parent.id);
  assert.equal(child.submittedBy, minted.id);

  assert.equal((await as(token, 'GET', `/v1/jobs/${parent.id}`)).status, 200);
  assert.equal((await as(token, 'GET', `/v1/jobs/${child.id}`)).status, 200);
  assert.equal((await as(token, 'GET', `/v1/jobs/${unrelated.id}`)).status, 403, "a job of the same contributor is not this job's family");
  // What the contributor role allows but a job token does not.
  await refused(await as(token, 'GET', '/v1/definitions'), 403);
  await refused(await as(token, 'PUT', '/v1/blobs', 'x'), 403);
  assert.equal((await as(token, 'POST', `/v1/jobs/${child.id}/cancel`)).status, 200);

  await f.db.none(`UPDATE jobs SET state = 'failed' WHERE id = $1`, [parent.id]);
  await refused(await as(token, 'GET', `/v1/jobs/${child.id}`), 401);
});

test('a child may name its parent\'s secrets and a lower priority; a job token lists only its children; malformed and unknown ids are answered as for anyone', async () => {
  const parent = await submitted(await f.call('maintainer', 'POST', '/v1/jobs', { source, secrets: ['NPM_TOKEN'], priority: 7 }));
  await f.db.none(`UPDATE jobs SET state = 'starting' WHERE id = $1`, [parent.id]);
  const minted = await createPgJobTokenStore(f.db).mint({ jobId: parent.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
  assert.ok(minted);
  assert.equal(minted.role, 'maintainer');
  const a = await submitted(await as(minted.token, 'POST', '/v1/jobs', { source }));
  const b = await submitted(await as(minted.token, 'POST', '/v1/jobs', { source, priority: -3, secrets: ['NPM_TOKEN'] }));
  assert.deepEqual([a.priority, b.priority, b.spec.secrets], [0, -3, ['NPM_TOKEN']], 'a priority left out is the default, under the parent');
  await refused(await as(minted.token, 'POST', '/v1/jobs', { source, secrets: ['NPM_TOKEN', 'DEPLOY_KEY'] }), 403, 'spec.secrets[1]');
  await refused(await as(minted.token, 'POST', '/v1/jobs', { source, priority: 8 }), 403, 'spec.priority');
  await refused(await as(minted.token, 'POST', '/v1/jobs', { source, env: { PARENT_KEY: minted.token } }), 403);
  const page = (await (await as(minted.token, 'GET', '/v1/jobs?limit=10')).json()) as { jobs: Job[] };
  assert.deepEqual(page.jobs.map((j) => j.id).sort(), [a.id, b.id].sort());
  assert.equal((await as(minted.token, 'GET', `/v1/jobs?parent=${parent.id}`)).status, 200);
  await refused(await as(minted.token, 'GET', '/v1/jobs/not-a-uuid'), 400);
  await refused(await as(minted.token, 'GET', '/v1/jobs/00000000-0000-4000-8000-000000000000'), 404);
});

test("an admin's job token: every route but its own family's is 403, routes added later included", async () => {
  const parent = await submitted(await f.call('admin', 'POST', '/v1/jobs', { source }));
  const other = await submitted(await f.call('admin', 'POST', '/v1/jobs', { source }));
  await f.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [parent.id]);
  const minted = await createPgJobTokenStore(f.db).mint({ jobId: parent.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
  assert.equal(minted?.role, 'admin');
  const token = minted?.token ?? '';
  // The job's own family: its own job by id (except cancel), its children's list, submit (400: the body is empty).
  const allowed: Record<string, number> = {
    'POST /v1/jobs': 400,
    'GET /v1/jobs': 200,
    'GET /v1/jobs/:id': 200,
    'GET /v1/jobs/:id/logs': 200,
    'POST /v1/jobs/:id/cancel': 403,
  };
  const seen = new Set<string>();
  for (const route of f.app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL')) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hasBody = !['GET', 'DELETE', 'HEAD'].includes(route.method);
    for (const target of [parent.id, other.id]) {
      const path = route.path.replace(':id', target).replace(':name', 'lint').replace(':version', '1').replace(/:[a-zA-Z]+/g, 'x');
      const res = await as(token, route.method, path, hasBody ? {} : undefined);
      const expected = target === other.id && route.path.includes(':id') ? 403 : (allowed[key] ?? 403);
      assert.equal(res.status, expected, `${key} (${path}): ${await res.text()}`);
    }
  }
  for (const key of Object.keys(allowed)) assert.ok(seen.has(key), `the table names ${key}, which the app no longer has`);
  assert.ok(seen.size >= Object.keys(allowed).length + 5, [...seen].join(', '));
});

test('a family of jobs grows at most maxChildJobDepth generations below the job a person submitted', async () => {
  const spec = { source, env: {}, secrets: [], resources: {}, timeout: 60, priority: 0, queue: 'default', labels: {}, dependsOn: [] };
  const maintainer = await f.deps.tokens.verify(f.tokens.maintainer);
  let parentId: string | null = null;
  const chain: Job[] = [];
  for (let depth = 0; depth <= maxChildJobDepth; depth++) {
    const { job } = await f.deps.jobs.submit({ spec, submittedBy: maintainer?.id ?? null, parentId });
    chain.push(job);
    parentId = job.id;
  }
  const tokenOf = async (job: Job): Promise<string> => {
    await f.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [job.id]);
    return (await createPgJobTokenStore(f.db).mint({ jobId: job.id, expiresAt: new Date(Date.now() + 600_000).toISOString() }))?.token ?? '';
  };
  // The job at depth max-1 may still add a child at depth max…
  await submitted(await as(await tokenOf(chain.at(-2) as Job), 'POST', '/v1/jobs', { source }));
  // …the one at depth max may not add one below it.
  await refused(await as(await tokenOf(chain.at(-1) as Job), 'POST', '/v1/jobs', { source }), 403);
});

test('a job may submit at most maxChildrenPerJob children over its runs; one more is refused and nothing is written', async () => {
  const app = createApp({ ...f.deps, settings: { ...f.deps.settings, maxChildrenPerJob: 2 } });
  const post = (token: string): Promise<Response> =>
    Promise.resolve(
      app.request('/v1/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source }),
      }),
    );
  const parent = await submitted(await f.call('maintainer', 'POST', '/v1/jobs', { source }));
  await f.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [parent.id]);
  const mint = async (): Promise<string> =>
    (await createPgJobTokenStore(f.db).mint({ jobId: parent.id, expiresAt: new Date(Date.now() + 600_000).toISOString() }))?.token ?? '';
  const token = await mint();
  await submitted(await post(token));
  await submitted(await post(token));
  const res = await post(token);
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /at most 2 child jobs \(REACTORCIDE_MAX_CHILDREN_PER_JOB\)/);
  // A later attempt's token counts the children of the earlier ones.
  await refused(await post(await mint()), 403);
  assert.equal((await f.db.one<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE parent_id = $1', [parent.id])).n, 2);
  // Another job's children are its own.
  const other = await submitted(await f.call('maintainer', 'POST', '/v1/jobs', { source }));
  await f.db.none(`UPDATE jobs SET state = 'running' WHERE id = $1`, [other.id]);
  const otherToken = (await createPgJobTokenStore(f.db).mint({ jobId: other.id, expiresAt: new Date(Date.now() + 600_000).toISOString() }))?.token ?? '';
  await submitted(await post(otherToken));
});
