/**
 * Retries end to end over real HTTP: the API and the dispatcher over one database (real Postgres,
 * embedded PGlite, and Postgres with a Corndogs queue — whose tasks a retry replaces rather than
 * reuses), the local process executor and the real runner. An errored attempt goes
 * back to `queued` with the next attempt after its backoff; the job ends only once, with the
 * earlier attempts in its status and each attempt's records in its log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { startFakeCorndogs, type FakeCorndogs } from '../../adapters/corndogs/test-support/fake-corndogs-server.ts';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';

function scenarios(backend: 'postgres' | 'pglite' | 'postgres+corndogs'): void {
  describe(`retries (${backend})`, () => {
    let fixture: ApiFixture;
    let server: ServerType;
    let dispatcher: StartedDispatcher;
    let corndogs: FakeCorndogs | undefined;
    let url: string;

    const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${fixture.tokens.maintainer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const submit = async (spec: unknown): Promise<Job> => {
      const r = await call('POST', '/v1/jobs', spec);
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as Job;
    };
    const status = async (id: string): Promise<Job> => (await (await call('GET', `/v1/jobs/${id}`)).json()) as Job;
    const logs = async (id: string): Promise<string> => (await call('GET', `/v1/jobs/${id}/logs`)).text();
    const until = async (id: string, what: string, ok: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await status(id);
        if (ok(job)) return job;
        assert.ok(Date.now() < deadline, `job ${id} never got to ${what}: ${JSON.stringify({ state: job.state, attempt: job.attempt })}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    before(async () => {
      fixture = await createApiFixture(backend === 'pglite' ? 'pglite' : 'postgres');
      server = serve({ fetch: fixture.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise((r) => server.once('listening', r));
      corndogs = backend === 'postgres+corndogs' ? await startFakeCorndogs() : undefined;
      const env = { REACTORCIDE_LEASE_SECONDS: '5', ...(corndogs ? { CORNDOGS_ADDRESS: corndogs.address } : {}) };
      const config = parseDispatcherConfig(env, mkdtempSync(join(tmpdir(), 'rc-retries-')));
      dispatcher = await startConfiguredDispatcher(config, fixture.db, { embedded: backend === 'pglite', logger: silentLogger, env: process.env });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await dispatcher.stop();
      await corndogs?.close();
      await new Promise((r) => server.close(r));
      await fixture.close();
    });

    test('an errored attempt is retried after its backoff and the job then succeeds; status and log keep attempt 1', async () => {
      // The source appears only after the first attempt failed to fetch it: a system fault that heals.
      const src = join(mkdtempSync(join(tmpdir(), 'rc-retry-src-')), 'src');
      const job = await submit({ source: { kind: 'directory', path: src }, retry: { maxAttempts: 3, backoffSeconds: 1 } });
      assert.equal(job.maxAttempts, 3);
      const waiting = await until(job.id, 'its retry', (j) => j.attempt === 2);
      const submittedAt = Date.now();
      mkdirSync(src);
      writeFileSync(join(src, 'reactorcide_job.sh'), 'echo "hello from attempt $REACTORCIDE_JOB_ID"\n');
      assert.ok(['queued', 'starting', 'running', 'succeeded'].includes(waiting.state), waiting.state);
      assert.equal(waiting.previousAttempts.length, 1);
      const first = waiting.previousAttempts[0];
      assert.equal(first?.attempt, 1);
      assert.equal(first?.state, 'errored');
      assert.match(first?.errorReason ?? '', /fetch_source: source directory .* does not exist/);
      assert.ok(first?.finishedAt && first.startedAt && first.startedAt <= first.finishedAt);

      const end = await until(job.id, 'its end', (j) => isTerminal(j.state));
      assert.equal(end.state, 'succeeded', end.errorReason ?? '');
      assert.equal(end.attempt, 2);
      assert.equal(end.retryAt, null);
      assert.equal(end.errorReason, null, 'the current attempt has no error of its own');
      assert.deepEqual(end.previousAttempts.map((a) => [a.attempt, a.state]), [[1, 'errored']]);
      assert.ok(Date.now() - submittedAt < 20_000);
      const log = await logs(job.id);
      const marker = log.indexOf('reactorcide: attempt 1 of 3 errored');
      assert.ok(marker >= 0, log);
      assert.ok(log.indexOf('does not exist') < marker, 'attempt 1 records come first');
      assert.ok(log.indexOf(`hello from attempt ${job.id}`) > marker, 'attempt 2 records come after the marker');
    });

    test('the backoff holds the next attempt back: queued with retryAt, not run before it', async () => {
      const job = await submit({ source: { kind: 'directory', path: '/nonexistent/retry-src' }, retry: { maxAttempts: 2, backoffSeconds: 3 } });
      const waiting = await until(job.id, 'its retry', (j) => j.attempt === 2);
      assert.equal(waiting.state, 'queued');
      assert.ok(waiting.retryAt);
      const wait = Date.parse(waiting.retryAt) - Date.parse(waiting.previousAttempts[0]?.finishedAt ?? '');
      assert.ok(wait >= 3000 && wait <= 3000 * 1.2 + 50, `waits ${wait} ms`);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await status(job.id)).state, 'queued', 'not started before its retryAt');
      const end = await until(job.id, 'its end', (j) => isTerminal(j.state));
      assert.equal(end.state, 'errored');
      assert.equal(end.attempt, 2);
      assert.ok(end.finishedAt && Date.parse(end.finishedAt) >= Date.parse(waiting.retryAt));
      assert.match(end.errorReason ?? '', /does not exist/);
      assert.match(await logs(job.id), /attempt 2 of 2 errored; no attempts left/);
    });

    test('failed is retried only with onFailed; without a retry spec nothing is retried', async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'echo "run"; exit 4\n' });
      const plain = await submit({ source: { kind: 'directory', path: src }, retry: { maxAttempts: 3, backoffSeconds: 0 } });
      const onFailed = await submit({ source: { kind: 'directory', path: src }, retry: { maxAttempts: 2, backoffSeconds: 0, onFailed: true } });
      const noSpec = await submit({ source: { kind: 'directory', path: '/nonexistent/no-retry' } });
      const [a, b, c] = await Promise.all([plain, onFailed, noSpec].map((j) => until(j.id, 'its end', (x) => isTerminal(x.state))));
      assert.deepEqual([a?.state, a?.attempt, a?.previousAttempts.length], ['failed', 1, 0]);
      assert.deepEqual([b?.state, b?.attempt, b?.exitCode, b?.previousAttempts.map((p) => [p.state, p.exitCode])], ['failed', 2, 4, [['failed', 4]]]);
      assert.deepEqual([c?.state, c?.attempt, c?.maxAttempts, c?.previousAttempts.length], ['errored', 1, 1, 0]);
      assert.equal((await logs(onFailed.id)).match(/^run$/gm)?.length, 2, 'each attempt keeps its records');
    });

    test('a job cancelled while it waits for its retry ends cancelled and never runs again', async () => {
      const job = await submit({ source: { kind: 'directory', path: '/nonexistent/cancel-src' }, retry: { maxAttempts: 3, backoffSeconds: 2 } });
      await until(job.id, 'its retry', (j) => j.attempt === 2 && j.state === 'queued');
      const r = await call('POST', `/v1/jobs/${job.id}/cancel`);
      assert.equal(r.status, 200);
      await new Promise((res) => setTimeout(res, 3500));
      const end = await status(job.id);
      assert.equal(end.state, 'cancelled');
      assert.equal(end.attempt, 2);
      assert.deepEqual(end.previousAttempts.map((a) => a.state), ['errored']);
    });
  });
}

scenarios('postgres');
scenarios('pglite');
scenarios('postgres+corndogs');
