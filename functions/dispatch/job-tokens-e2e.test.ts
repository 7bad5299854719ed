/**
 * Jobs create jobs, end to end over real HTTP: the API and the dispatcher over one database
 * (real Postgres, and embedded PGlite), the local process executor, the real runner. A job gets
 * a token of its own; with it, and with nothing more, it submits a child and waits for it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, type ServerType } from '@hono/node-server';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import type { Job } from '../../core/job.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import { isTerminal } from '../../core/job-state.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';
import { serveUrl } from '../../cli/test-support/serve-url.ts';

interface Api {
  call(token: string, method: string, path: string, body?: unknown): Promise<Response>;
  submit(token: string, spec: unknown): Promise<Job>;
  job(id: string): Promise<Job>;
  logs(id: string): Promise<string>;
  waitEnd(id: string): Promise<Job>;
}

function api(url: string, maintainer: string): Api {
  const a: Api = {
    call: (token, method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async submit(token, spec) {
      const r = await a.call(token, 'POST', '/v1/jobs', spec);
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as Job;
    },
    job: async (id) => (await (await a.call(maintainer, 'GET', `/v1/jobs/${id}`)).json()) as Job,
    logs: async (id) => (await a.call(maintainer, 'GET', `/v1/jobs/${id}/logs`)).text(),
    async waitEnd(id) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const job = await a.job(id);
        if (isTerminal(job.state)) return job;
        assert.ok(Date.now() < deadline, `job ${id} still ${job.state}`);
        await sleep(50);
      }
    },
  };
  return a;
}

/** Waits for a file a running job writes, and returns its content. */
async function fileFromJob(path: string, job: () => Promise<Job>): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!existsSync(path)) {
    const now = await job();
    assert.ok(!isTerminal(now.state), `the job ended ${now.state} before writing ${path}: ${now.errorReason ?? ''}`);
    assert.ok(Date.now() < deadline, `the job never wrote ${path}`);
    await sleep(50);
  }
  return readFileSync(path, 'utf8');
}

/** A shell job that hands its token to the test through a file, then waits to be released. */
const holdingJob = `printf %s "$REACTORCIDE_JOB_TOKEN" > "$OUT/token.tmp" && mv "$OUT/token.tmp" "$OUT/token"
while [ ! -e "$OUT/release" ]; do sleep 0.05; done
echo released
`;

function scenarios(backend: 'postgres' | 'pglite'): void {
  describe(`jobs create jobs (${backend})`, () => {
    let fixture: ApiFixture;
    let server: ServerType;
    let dispatcher: StartedDispatcher;
    let a: Api;
    let maintainer: string;

    before(async () => {
      fixture = await createApiFixture(backend);
      maintainer = fixture.tokens.maintainer;
      server = serve({ fetch: fixture.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise((r) => server.once('listening', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5' }, mkdtempSync(join(tmpdir(), 'rc-jobtok-')));
      dispatcher = await startConfiguredDispatcher(config, fixture.db, {
        embedded: backend === 'pglite',
        logger: silentLogger,
        env: process.env,
        servedUrl: url,
      });
      a = api(url, maintainer);
    });

    after(async () => {
      await dispatcher.stop();
      await new Promise((r) => server.close(r));
      await fixture.close();
    });

    test('a job submits a child with submitJob, waits for it with waitFor, and never shows its token', async () => {
      const child = await makeTree({ 'reactorcide_job.sh': 'echo "child says hi"; exit 3\n' });
      const parentCode = await makeTree({
        'reactorcide_job.mjs': `
          import { job, submitJob, waitFor } from 'reactorcide/job';
          console.log('my token is ' + process.env.REACTORCIDE_JOB_TOKEN);
          const submitted = await submitJob({ source: { kind: 'directory', path: process.env.CHILD_SRC }, name: 'the child' });
          console.log('submitted ' + submitted.id + ' state ' + submitted.state + ' parent ' + submitted.parentId);
          const end = await waitFor(submitted, { timeoutMs: 60000, pollMs: 50 });
          console.log('child ended ' + end.state + ' exit ' + end.exitCode + ' parent ' + (end.parentId === job.id ? 'me' : end.parentId));
        `,
      });
      const parent = await a.submit(maintainer, { source: { kind: 'directory', path: parentCode }, env: { CHILD_SRC: child } });
      const end = await a.waitEnd(parent.id);
      const log = await a.logs(parent.id);
      assert.equal(end.state, 'succeeded', `${end.errorReason ?? ''}\n${log}`);
      assert.match(log, /my token is \*\*\*REACTORCIDE_JOB_TOKEN\*\*\*/);
      assert.doesNotMatch(log, /rct_/, 'the clear token is in the log');
      const submitted = /submitted (\S+) state queued parent (\S+)/.exec(log);
      assert.ok(submitted, log);
      assert.equal(submitted[2], parent.id);
      assert.match(log, /child ended failed exit 3 parent me/);

      const childJob = await a.job(submitted[1] ?? '');
      assert.equal(childJob.parentId, parent.id);
      assert.equal(childJob.state, 'failed');
      assert.match(await a.logs(childJob.id), /child says hi/);
      const listed = (await (await a.call(maintainer, 'GET', `/v1/jobs?parent=${parent.id}`)).json()) as { jobs: Job[] };
      assert.deepEqual(listed.jobs.map((j) => j.id), [childJob.id]);
    });

    test('a job token reaches only its own family, asks for no more than its parent has, and dies with the run', async () => {
      const out = mkdtempSync(join(tmpdir(), 'rc-jobtok-out-'));
      const other = await a.submit(maintainer, { source: { kind: 'directory', path: '/nonexistent/other' } });
      // Submitted by an admin: the job token carries the admin role, and still may not act as one.
      const parent = await a.submit(fixture.tokens.admin, { source: { kind: 'directory', path: await makeTree({ 'reactorcide_job.sh': holdingJob }) }, env: { OUT: out } });
      const token = await fileFromJob(join(out, 'token'), () => a.job(parent.id));
      assert.match(token, /^rct_/);

      const status = async (method: string, path: string, body?: unknown): Promise<number> => (await a.call(token, method, path, body)).status;
      assert.equal(await status('GET', `/v1/jobs/${parent.id}`), 200);
      assert.equal(await status('GET', `/v1/jobs/${parent.id}/logs`), 200);
      assert.equal(await status('GET', `/v1/jobs/${other.id}`), 403);
      assert.equal(await status('GET', `/v1/jobs/${other.id}/logs`), 403);
      assert.equal(await status('POST', `/v1/jobs/${other.id}/cancel`), 403);
      assert.equal(await status('POST', `/v1/jobs/${parent.id}/cancel`), 403, 'a job cancels only its children, not itself');
      assert.equal(await status('POST', '/v1/tokens', { name: 'escalate', role: 'admin' }), 403);
      assert.equal(await status('DELETE', `/v1/tokens/${parent.submittedBy ?? ''}`), 403);
      assert.equal(await status('PUT', '/v1/blobs', 'not a tarball'), 403);
      assert.equal(await status('GET', '/v1/jobs?parent=' + other.id), 403);

      const childSpec = { source: { kind: 'directory', path: await makeTree({ 'reactorcide_job.sh': 'sleep 60\n' }) } };
      const refused = async (spec: object, field: string): Promise<void> => {
        const r = await a.call(token, 'POST', '/v1/jobs', { ...childSpec, ...spec });
        const body = (await r.json()) as { error: { code: string; field?: string } };
        assert.equal(r.status, 403, JSON.stringify(body));
        assert.equal(body.error.field, field);
      };
      await refused({ secrets: ['DEPLOY_KEY'] }, 'spec.secrets[0]');
      await refused({ priority: 1 }, 'spec.priority');
      await refused({ queue: 'trusted' }, 'spec.queue');
      await refused({ dependsOn: [{ jobId: other.id }] }, 'spec.dependsOn[0].jobId');

      const child = await a.submit(token, childSpec);
      assert.equal(child.parentId, parent.id);
      assert.equal(child.submittedBy !== parent.submittedBy, true, 'submitted by the job token');
      assert.equal(await status('GET', `/v1/jobs/${child.id}`), 200);
      const listed = (await (await a.call(token, 'GET', '/v1/jobs')).json()) as { jobs: Job[] };
      assert.deepEqual(listed.jobs.map((j) => j.id), [child.id], 'a job token lists only its children');
      assert.equal(await status('POST', `/v1/jobs/${child.id}/cancel`), 200);
      assert.equal((await a.waitEnd(child.id)).state, 'cancelled');

      writeFileSync(join(out, 'release'), '');
      assert.equal((await a.waitEnd(parent.id)).state, 'succeeded');
      const afterEnd = await a.call(token, 'GET', `/v1/jobs/${parent.id}`);
      assert.equal(afterEnd.status, 401, 'the token of an ended job is refused');
      assert.equal(await status('POST', '/v1/jobs', childSpec), 401);
      const rows = await fixture.db.many<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE job_id = $1', [parent.id]);
      assert.deepEqual(rows, [{ revoked: true }], 'revoked at the end of the run');
    });

    test('a cancelled job can still cancel its children while it stops: its token lives until the run ends', async () => {
      const out = mkdtempSync(join(tmpdir(), 'rc-jobtok-cancel-'));
      const childSrc = await makeTree({ 'reactorcide_job.sh': 'sleep 60\n' });
      const parentSrc = await makeTree({
        'reactorcide_job.mjs': `
          import { renameSync, writeFileSync } from 'node:fs';
          import { jobClient, submitJob } from 'reactorcide/job';
          const child = await submitJob({ source: { kind: 'directory', path: process.env.CHILD_SRC } });
          process.on('SIGTERM', async () => {
            await jobClient().cancelJob(child.id);
            console.log('cancelled my child');
            process.exit(143);
          });
          // Written whole, then renamed: the test reads the file as soon as it exists.
          writeFileSync(process.env.OUT + '/child.tmp', child.id);
          renameSync(process.env.OUT + '/child.tmp', process.env.OUT + '/child');
          setInterval(() => {}, 1000);
        `,
      });
      const parent = await a.submit(maintainer, { source: { kind: 'directory', path: parentSrc }, env: { CHILD_SRC: childSrc, OUT: out } });
      const childId = await fileFromJob(join(out, 'child'), () => a.job(parent.id));
      assert.equal((await a.call(maintainer, 'POST', `/v1/jobs/${parent.id}/cancel`)).status, 200);
      assert.equal((await a.waitEnd(parent.id)).state, 'cancelled');
      assert.match(await a.logs(parent.id), /cancelled my child/);
      assert.equal((await a.waitEnd(childId)).state, 'cancelled');
    });

    test('a job run outside a dispatcher with a job API says why it cannot submit', async () => {
      const src = await makeTree({
        'reactorcide_job.mjs': `
          import { submitJob } from 'reactorcide/job';
          try { await submitJob({ source: { kind: 'directory', path: '.' } }); } catch (err) { console.log('refused: ' + err.message); process.exit(4); }
        `,
      });
      // The system's own jobs (no submitting token) get no token; neither do jobs of a dispatcher without an API URL.
      const spec: JobSpec = { source: { kind: 'directory', path: src }, env: {}, secrets: [], resources: {}, timeout: 60, priority: 0, queue: 'default', labels: {}, dependsOn: [] };
      const { job } = await createPgJobStore(fixture.db).submit({ spec, submittedBy: null });
      const end = await a.waitEnd(job.id);
      assert.equal(end.exitCode, 4, await a.logs(job.id));
      assert.match(await a.logs(job.id), /refused: REACTORCIDE_API_URL and REACTORCIDE_JOB_TOKEN are not set/);
    });
  });
}

scenarios('postgres');
scenarios('pglite');

test('`reactorcide serve` gives its jobs its own address: a job submits a child with no setting at all', async () => {
  const database = await createTestDatabase();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../../cli/main.ts', import.meta.url).pathname, 'serve'], {
    env: { ...process.env, DATABASE_URL: database.url, REACTORCIDE_PORT: '0', REACTORCIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-jobtok-serve-')) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await serveUrl(child).url;
    const maintainer = (await createPgTokenStore(database.db).create({ name: 'm', role: 'maintainer', expiresAt: null, createdBy: null })).token;
    const a = api(url, maintainer);
    const childSrc = await makeTree({ 'reactorcide_job.sh': 'echo grandchild-free\n' });
    const parentSrc = await makeTree({
      'reactorcide_job.mjs': `
        import { submitJob, waitFor } from 'reactorcide/job';
        const end = await waitFor(await submitJob({ source: { kind: 'directory', path: process.env.CHILD_SRC } }), { pollMs: 50 });
        console.log('child ' + end.state);
      `,
    });
    const parent = await a.submit(maintainer, { source: { kind: 'directory', path: parentSrc }, env: { CHILD_SRC: childSrc } });
    const end = await a.waitEnd(parent.id);
    assert.equal(end.state, 'succeeded', await a.logs(parent.id));
    assert.match(await a.logs(parent.id), /child succeeded/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await database.drop();
  }
});
