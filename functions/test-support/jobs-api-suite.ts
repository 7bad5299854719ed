import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestFirst } from '../../adapters/postgres/test-support/store-contract.ts';
import { minimalSpec, type ApiFixture } from './api-fixture.ts';

/** The API's behaviour through app.request(), run over real Postgres and over embedded PGlite. */
export function jobsApiSuite(label: string, fixture: () => ApiFixture): void {
  test(`${label}: submit returns 201 with a queued job that status then reports`, async () => {
    const f = fixture();
    const res = await f.call('maintainer', 'POST', '/v1/jobs', { ...minimalSpec, name: 'build', labels: { repo: 'x' } });
    assert.equal(res.status, 201);
    const job = (await res.json()) as { id: string; state: string; spec: { timeout: number; queue: string } };
    assert.equal(job.state, 'queued');
    assert.equal(job.spec.timeout, 3600);
    assert.equal(job.spec.queue, 'default');
    assert.equal(res.headers.get('location'), `/v1/jobs/${job.id}`);
    const got = await f.call('viewer', 'GET', `/v1/jobs/${job.id}`);
    assert.equal(got.status, 200);
    const status = (await got.json()) as Record<string, unknown>;
    for (const key of ['id', 'state', 'exitCode', 'createdAt', 'startedAt', 'finishedAt', 'phases', 'errorReason']) {
      assert.ok(key in status, key);
    }
  });

  test(`${label}: every validation error names the offending field`, async () => {
    const f = fixture();
    const cases: [unknown, string][] = [
      [{ ...minimalSpec, timeout: -1 }, 'spec.timeout'],
      [{ ...minimalSpec, timeout: 'soon' }, 'spec.timeout'],
      [{}, 'spec.source'],
      [{ source: { kind: 'tarball', url: 'ftp://x' } }, 'spec.source.url'],
      [{ ...minimalSpec, timout: 5 }, 'spec.timout'],
      [{ ...minimalSpec, env: { 'BAD NAME': 'x' } }, 'spec.env["BAD NAME"]'],
      [{ ...minimalSpec, dependsOn: [{ jobId: 'nope' }] }, 'spec.dependsOn[0].jobId'],
      [{ ...minimalSpec, concurrency: { group: 'g', policy: 'sometimes' } }, 'spec.concurrency.policy'],
      [{ ...minimalSpec, retry: { maxAttempts: 0 } }, 'spec.retry.maxAttempts'],
      [{ ...minimalSpec, secrets: ['OK', 'not ok'] }, 'spec.secrets[1]'],
    ];
    for (const [body, field] of cases) {
      const res = await f.call('admin', 'POST', '/v1/jobs', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const err = ((await res.json()) as { error: { code: string; field: string; message: string } }).error;
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.field, field, JSON.stringify(body));
      assert.ok(err.message.startsWith(field), err.message);
    }
    const malformed = await f.call('admin', 'POST', '/v1/jobs', '{"source":');
    assert.equal(malformed.status, 400);
    const missingDep = await f.call('admin', 'POST', '/v1/jobs', { ...minimalSpec, dependsOn: [{ jobId: '00000000-0000-4000-8000-00000000000a' }] });
    assert.equal(((await missingDep.json()) as { error: { field: string } }).error.field, 'spec.dependsOn[0].jobId');
  });

  test(`${label}: a body over the limit is refused with 413`, async () => {
    const f = fixture();
    const res = await f.call('admin', 'POST', '/v1/jobs', { ...minimalSpec, env: { BIG: 'x'.repeat(70 * 1024) } });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'too_large');
  });

  test(`${label}: Idempotency-Key: a retry gets the same response, another body gets 409`, async () => {
    const f = fixture();
    const headers = { 'idempotency-key': 'deploy-42' };
    const first = await f.call('maintainer', 'POST', '/v1/jobs', minimalSpec, headers);
    const again = await f.call('maintainer', 'POST', '/v1/jobs', minimalSpec, headers);
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), await first.json());
    const other = await f.call('maintainer', 'POST', '/v1/jobs', { ...minimalSpec, priority: 3 }, headers);
    assert.equal(other.status, 409);
    const bad = await f.call('maintainer', 'POST', '/v1/jobs', minimalSpec, { 'idempotency-key': 'x'.repeat(300) });
    assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'header.idempotency-key');
  });

  test(`${label}: list filters by state, label and name and pages by cursor`, async () => {
    const f = fixture();
    const tag = `t${Date.now()}`;
    const made: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await f.call('admin', 'POST', '/v1/jobs', { ...minimalSpec, name: `n${i % 2}`, labels: { tag } });
      made.push((await res.json()) as { id: string; createdAt: string });
    }
    const seen: string[] = [];
    let url = `/v1/jobs?label=tag=${tag}&limit=2`;
    for (;;) {
      const page = (await (await f.call('viewer', 'GET', url)).json()) as { jobs: { id: string }[]; nextCursor: string | null };
      seen.push(...page.jobs.map((j) => j.id));
      if (page.nextCursor === null) break;
      url = `/v1/jobs?label=tag=${tag}&limit=2&cursor=${page.nextCursor}`;
    }
    assert.deepEqual(seen, newestFirst(made));
    const named = (await (await f.call('viewer', 'GET', `/v1/jobs?label=tag=${tag}&name=n0&state=queued,waiting`)).json()) as { jobs: unknown[] };
    assert.equal(named.jobs.length, 3);
    const badState = await f.call('viewer', 'GET', '/v1/jobs?state=sleeping');
    assert.equal(((await badState.json()) as { error: { field: string } }).error.field, 'query.state');
    const badCursor = await f.call('viewer', 'GET', '/v1/jobs?cursor=garbage');
    assert.equal(((await badCursor.json()) as { error: { field: string } }).error.field, 'query.cursor');
  });

  test(`${label}: cancel ends a queued job, 409 once ended, 404 for unknown and 400 for a malformed id`, async () => {
    const f = fixture();
    const { id } = (await (await f.call('admin', 'POST', '/v1/jobs', minimalSpec)).json()) as { id: string };
    const res = await f.call('maintainer', 'POST', `/v1/jobs/${id}/cancel`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'cancelled');
    assert.equal((await f.call('maintainer', 'POST', `/v1/jobs/${id}/cancel`)).status, 409);
    assert.equal((await f.call('maintainer', 'POST', '/v1/jobs/00000000-0000-4000-8000-00000000000b/cancel')).status, 404);
    const bad = await f.call('viewer', 'GET', '/v1/jobs/not-a-uuid');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'path.id');
  });

  test(`${label}: tokens: admins create and revoke; a created token works until revoked`, async () => {
    const f = fixture();
    const res = await f.call('admin', 'POST', '/v1/tokens', { name: 'ci', role: 'viewer', expiresInSeconds: 3600 });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { id: string; token: string; role: string; expiresAt: string };
    assert.equal(created.role, 'viewer');
    assert.ok(Date.parse(created.expiresAt) > Date.now());
    const auth = { authorization: `Bearer ${created.token}` };
    assert.equal((await f.app.request('/v1/jobs', { headers: auth })).status, 200);
    assert.equal((await f.call('admin', 'DELETE', `/v1/tokens/${created.id}`)).status, 204);
    assert.equal((await f.call('admin', 'DELETE', `/v1/tokens/${created.id}`)).status, 404);
    const after = await f.app.request('/v1/jobs', { headers: auth });
    assert.equal(after.status, 401);
    assert.equal(after.headers.get('www-authenticate'), 'Bearer');
  });

  test(`${label}: health, readiness, metrics, OpenAPI and the reference page`, async () => {
    const f = fixture();
    assert.equal((await f.app.request('/healthz')).status, 200);
    const ready = await f.app.request('/readyz');
    assert.equal(ready.status, 200);
    const metrics = await (await f.app.request('/metrics')).text();
    assert.match(metrics, /reactorcide_http_requests_total\{method="POST",route="\/v1\/jobs",status="201"\} \d+/);
    assert.match(metrics, /reactorcide_jobs_submitted_total\{outcome="replayed"\} 1/);
    const doc = (await (await f.app.request('/openapi.json')).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    assert.ok('/v1/jobs/{id}/logs' in doc.paths);
    assert.ok('JobSpec' in doc.components.schemas);
    const page = await f.app.request('/docs');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /\/v1\/jobs\/\{id\}\/cancel/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!example)/);
  });
}
