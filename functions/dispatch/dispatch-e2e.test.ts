/**
 * Submitted jobs run end to end over real HTTP: the API and the dispatcher over one database
 * (real Postgres, and embedded PGlite), the local process executor, the real runner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';
import { serveUrl } from '../../cli/test-support/serve-url.ts';

interface Harness {
  url: string;
  token: string;
  submit(spec: unknown): Promise<Job>;
  status(id: string): Promise<Job>;
  logs(id: string): Promise<string>;
  waitEnd(id: string, timeoutMs?: number): Promise<Job>;
}

function harness(url: string, token: string): Harness {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const h: Harness = {
    url,
    token,
    async submit(spec) {
      const r = await call('POST', '/v1/jobs', spec);
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as Job;
    },
    async status(id) {
      return (await (await call('GET', `/v1/jobs/${id}`)).json()) as Job;
    },
    async logs(id) {
      return (await call('GET', `/v1/jobs/${id}/logs`)).text();
    },
    async waitEnd(id, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await h.status(id);
        if (['succeeded', 'failed', 'cancelled', 'timed_out', 'errored'].includes(job.state)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  return h;
}

function scenarios(backend: 'postgres' | 'pglite'): void {
  describe(`jobs run end to end (${backend})`, () => {
    let fixture: ApiFixture;
    let server: ServerType;
    let dispatcher: StartedDispatcher;
    let api: Harness;

    before(async () => {
      fixture = await createApiFixture(backend);
      server = serve({ fetch: fixture.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise((r) => server.once('listening', r));
      const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5' }, mkdtempSync(join(tmpdir(), 'rc-dispatch-')));
      dispatcher = await startConfiguredDispatcher(config, fixture.db, { embedded: backend === 'pglite', logger: silentLogger, env: process.env });
      api = harness(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, fixture.tokens.maintainer);
    });
    after(async () => {
      await dispatcher.stop();
      await new Promise((r) => server.close(r));
      await fixture.close();
    });

    test('submit → running → succeeded, with the log and the phases', async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'echo "hello from $REACTORCIDE_JOB_ID"\n' });
      const job = await api.submit({ source: { kind: 'directory', path: src } });
      const end = await api.waitEnd(job.id);
      assert.equal(end.state, 'succeeded', end.errorReason ?? '');
      assert.equal(end.exitCode, 0);
      assert.ok(end.startedAt && end.finishedAt);
      assert.deepEqual(end.phases.map((p) => p.phase), ['fetch_source', 'fetch_job_code', 'startup', 'environment', 'run', 'cleanup']);
      assert.match(await api.logs(job.id), new RegExp(`hello from ${job.id}`));
    });

    test("a job's own failure is failed, with its exit code", async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'echo oops >&2; exit 3\n' });
      const end = await api.waitEnd((await api.submit({ source: { kind: 'directory', path: src } })).id);
      assert.equal(end.state, 'failed');
      assert.equal(end.exitCode, 3);
    });

    test('a system fault is errored with the reason', async () => {
      const end = await api.waitEnd((await api.submit({ source: { kind: 'directory', path: '/nonexistent/src' } })).id);
      assert.equal(end.state, 'errored');
      assert.match(end.errorReason ?? '', /fetch_source: source directory \/nonexistent\/src does not exist/);
    });

    test('cancel mid-run stops the job, runs cleanup, and ends cancelled', async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
      const job = await api.submit({ source: { kind: 'directory', path: src } });
      const deadline = Date.now() + 20_000;
      while (!(await api.logs(job.id)).includes('started')) {
        assert.ok(Date.now() < deadline, 'job never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await fetch(`${api.url}/v1/jobs/${job.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` } });
      assert.equal(r.status, 200);
      const end = await api.waitEnd(job.id);
      assert.equal(end.state, 'cancelled');
      assert.equal(end.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
    });

    test('a job past its timeout is stopped and timed_out', async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'sleep 60\n' });
      const end = await api.waitEnd((await api.submit({ source: { kind: 'directory', path: src }, timeout: 1 })).id);
      assert.equal(end.state, 'timed_out');
    });
  });
}

scenarios('postgres');
scenarios('pglite');

/** `reactorcide serve` as a process of its own (from source), on a free port; resolves with its URL. */
async function startServe(env: Record<string, string | undefined>): Promise<{ url: string; process: ChildProcess; stderr: () => string }> {
  const repoRoot = new URL('../../', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'main.ts'), 'serve'], {
    env: { ...process.env, REACTORCIDE_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const listening = serveUrl(child);
  return { url: await listening.url, process: child, stderr: listening.stderr };
}

async function maintainerToken(db: Parameters<typeof createPgTokenStore>[0]): Promise<string> {
  return (await createPgTokenStore(db).create({ name: 't', role: 'maintainer', expiresAt: null, createdBy: null })).token;
}

test('a dispatcher killed mid-job loses nothing: after restart a job without retry ends errored, one with retry runs its second attempt', async () => {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-crash-'));
  const serve = await startServe({ DATABASE_URL: database.url, REACTORCIDE_LEASE_SECONDS: '2', REACTORCIDE_DATA_DIR: dataDir });
  const serveProcess = serve.process;
  try {
    const api = harness(serve.url, await maintainerToken(database.db));
    const src = await makeTree({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
    const plain = await api.submit({ source: { kind: 'directory', path: src } });
    // Attempt 1 leaves its shell's pid behind and sleeps; attempt 2 fails if attempt 1 still runs.
    const mark = join(mkdtempSync(join(tmpdir(), 'rc-crash-mark-')), 'pid');
    const retrying = await api.submit({
      source: {
        kind: 'directory',
        path: await makeTree({
          'reactorcide_job.sh':
            'if [ -f "$MARK" ]; then if kill -0 "$(cat "$MARK")" 2>/dev/null; then echo "attempt 1 still runs"; exit 9; fi; echo "second attempt"; exit 0; fi\n' +
            'echo $$ > "$MARK"; echo started; sleep 60\n',
        }),
      },
      env: { MARK: mark },
      retry: { maxAttempts: 2, backoffSeconds: 1 },
    });
    for (const job of [plain, retrying]) while (!(await api.logs(job.id)).includes('started')) await new Promise((r) => setTimeout(r, 50));
    serveProcess.kill('SIGKILL');
    await new Promise((r) => serveProcess.once('exit', r));

    // A new dispatcher on the same database: the dead one's claims run out and are reclaimed.
    const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '2' }, dataDir);
    const restarted = await startConfiguredDispatcher(config, database.db, { embedded: false, logger: silentLogger, env: process.env });
    try {
      const { createPgJobStore } = await import('../../adapters/postgres/job-store.ts');
      const jobs = createPgJobStore(database.db);
      const { createPgLogStore } = await import('../../adapters/postgres/log-store.ts');
      // The API died with serve: the log is read from the store.
      const logOf = async (id: string): Promise<string> => (await createPgLogStore(database.db).read(id, 0, 100_000)).records.map((r) => r.text).join('');
      const deadline = Date.now() + 30_000;
      const ended = async (id: string) => {
        for (;;) {
          const current = await jobs.get(id);
          if (current && isTerminal(current.state)) return current;
          assert.ok(Date.now() < deadline, `still ${current?.state}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const lost = await ended(plain.id);
      assert.equal(lost.state, 'errored');
      assert.match(lost.errorReason ?? '', /dispatcher running this job stopped/);

      const retried = await ended(retrying.id);
      assert.equal(retried.state, 'succeeded', `${retried.errorReason}\n${await logOf(retrying.id)}`);
      assert.equal(retried.attempt, 2);
      assert.deepEqual(retried.previousAttempts.map((a) => a.state), ['errored']);
      assert.match(retried.previousAttempts[0]?.errorReason ?? '', /dispatcher running this job stopped/);
      const log = await logOf(retrying.id);
      assert.match(log, /started[\s\S]*attempt 1 of 2 errored[\s\S]*second attempt/);
    } finally {
      await restarted.stop();
    }
  } finally {
    serveProcess.kill('SIGKILL');
    await database.drop();
  }
});

test('serve archives an ended job\'s log to object storage, and the logs route still serves it', async () => {
  const database = await createTestDatabase();
  const serve = await startServe({ DATABASE_URL: database.url, REACTORCIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-archive-')) });
  const serveProcess = serve.process;
  try {
    const api = harness(serve.url, await maintainerToken(database.db));
    const src = await makeTree({ 'reactorcide_job.sh': 'for i in 1 2 3; do echo "archived line $i"; done\n' });
    const job = await api.submit({ source: { kind: 'directory', path: src } });
    assert.equal((await api.waitEnd(job.id)).state, 'succeeded');
    const live = await api.logs(job.id);
    assert.match(live, /archived line 3/);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const chunks = await database.db.one<{ n: number }>('SELECT count(*)::int AS n FROM job_log_chunks WHERE job_id = $1', [job.id]);
      if (chunks.n === 0) break;
      assert.ok(Date.now() < deadline, `the log was not archived\n${serve.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await api.logs(job.id), live);
  } finally {
    serveProcess.kill('SIGKILL');
    await database.drop();
  }
});
