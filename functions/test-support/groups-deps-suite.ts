/**
 * Concurrency groups and dependencies end to end over real HTTP, run by one file per backend
 * (functions/dispatch/groups-deps-*.test.ts, so each stays inside the per-file time limit): the
 * API and the dispatchers over one database (two on real Postgres, one on embedded PGlite, one on
 * Postgres with a Corndogs queue), the local process executor and the real runner. Overlap and order are judged from the jobs' own clocks:
 * each job appends "<id> start|end <ns>" to a shared file as its first and last act.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { startFakeCorndogs, type FakeCorndogs } from '../../adapters/corndogs/test-support/fake-corndogs-server.ts';
import type { Job } from '../../core/job.ts';
import type { JobWait } from '../../core/ports/job-waits.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { createApiFixture, type ApiFixture } from './api-fixture.ts';

type Status = Job & JobWait;
const ended = ['succeeded', 'failed', 'cancelled', 'timed_out', 'errored'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Api {
  submit(spec: object): Promise<Status>;
  submitRaw(spec: object): Promise<Response>;
  status(id: string): Promise<Status>;
  cancel(id: string): Promise<number>;
  waitFor(id: string, done: (job: Status) => boolean, timeoutMs?: number): Promise<Status>;
}

function api(url: string, token: string): Api {
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const self: Api = {
    submitRaw: (spec) => call('POST', '/v1/jobs', spec),
    async submit(spec) {
      const r = await self.submitRaw(spec);
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as Status;
    },
    async status(id) {
      return (await (await call('GET', `/v1/jobs/${id}`)).json()) as Status;
    },
    async cancel(id) {
      return (await call('POST', `/v1/jobs/${id}/cancel`)).status;
    },
    async waitFor(id, done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await self.status(id);
        if (done(job)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}: ${JSON.stringify(job)}`);
        await sleep(40);
      }
    },
  };
  return self;
}

const end = (a: Api, id: string): Promise<Status> => a.waitFor(id, (j) => ended.includes(j.state));

/** A job that marks its start and end in `marks` (nanoseconds, its own clock) around `body`. */
async function markingJob(marks: string, body = 'sleep 0.3'): Promise<object> {
  const src = await makeTree({
    'reactorcide_job.sh': `echo "$REACTORCIDE_JOB_ID start $(date +%s%N)" >> "$MARKS"\n${body}\nrc=$?\necho "$REACTORCIDE_JOB_ID end $(date +%s%N)" >> "$MARKS"\nexit $rc\n`,
  });
  return { source: { kind: 'directory', path: src }, env: { MARKS: marks } };
}

/** Each job's [start, end] from the marks file, in nanoseconds. */
function spans(marks: string): Map<string, { start: bigint; end: bigint }> {
  const out = new Map<string, { start: bigint; end: bigint }>();
  if (!existsSync(marks)) return out;
  for (const line of readFileSync(marks, 'utf8').split('\n').filter(Boolean)) {
    const [id = '', what, ns = '0'] = line.split(' ');
    const span = out.get(id) ?? { start: -1n, end: -1n };
    if (what === 'start') span.start = BigInt(ns);
    else span.end = BigInt(ns);
    out.set(id, span);
  }
  return out;
}

function assertOneAtATime(marks: string, ids: readonly string[]): void {
  const s = spans(marks);
  for (let i = 0; i < ids.length; i++) {
    const cur = s.get(ids[i] ?? '');
    assert.ok(cur && cur.start > 0n && cur.end >= cur.start, `job ${i} has no span`);
    const prev = i > 0 ? s.get(ids[i - 1] ?? '') : undefined;
    if (prev) assert.ok(cur.start >= prev.end, `job ${i} started ${Number(prev.end - cur.start) / 1e6} ms before job ${i - 1} ended`);
  }
}

/** A group's history, for a failure message. */
function transitionsOf(fixture: ApiFixture, group: string): Promise<unknown[]> {
  return fixture.db.manyOrNone(
    `SELECT t.job_id, t.from_state, t.to_state, t.reason FROM job_transitions t JOIN jobs j ON j.id = t.job_id
     WHERE j.concurrency_group = $1 ORDER BY t.id`,
    [group],
  );
}

export type GroupsBackend = 'postgres' | 'pglite' | 'postgres+corndogs';

/** The scenarios on one backend; `only` names the tests to run (all when absent). */
export function groupsAndDependenciesSuite(backend: GroupsBackend, only?: ReadonlySet<string>): void {
  describe(`concurrency groups and dependencies (${backend})`, () => {
    let fixture: ApiFixture;
    let server: ServerType;
    const dispatchers: StartedDispatcher[] = [];
    let corndogs: FakeCorndogs | undefined;
    let a: Api;
    let dir: string;
    let diagnostic: (message: string) => void = () => undefined;
    const it = (name: string, fn: () => Promise<void>): void => {
      if (only === undefined || only.has(name)) {
        test(name, async (t) => {
          diagnostic = (message) => t.diagnostic(message);
          await fn();
        });
      }
    };

    before(async () => {
      fixture = await createApiFixture(backend === 'pglite' ? 'pglite' : 'postgres');
      server = serve({ fetch: fixture.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise((r) => server.once('listening', r));
      dir = mkdtempSync(join(tmpdir(), 'rc-groups-'));
      corndogs = backend === 'postgres+corndogs' ? await startFakeCorndogs() : undefined;
      const env = { REACTORCIDE_LEASE_SECONDS: '5', REACTORCIDE_MAX_RUNS: '4', ...(corndogs ? { CORNDOGS_ADDRESS: corndogs.address } : {}) };
      // On Postgres two dispatchers share the database: the limits hold across them.
      for (let i = 0; i < (backend === 'postgres' ? 2 : 1); i++) {
        dispatchers.push(
          await startConfiguredDispatcher(parseDispatcherConfig(env, dir), fixture.db, { embedded: backend === 'pglite', logger: silentLogger, env: process.env }),
        );
      }
      a = api(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, fixture.tokens.maintainer);
    });
    after(async () => {
      await Promise.all(dispatchers.map((d) => d.stop()));
      await new Promise((r) => server.close(r));
      await corndogs?.close();
      await fixture.close();
    });

    it('a group of 1 runs 5 jobs one at a time, in submit order; the last one sees its place fall', async () => {
      const marks = join(dir, `marks-${randomUUID()}`);
      const group = `g-${randomUUID()}`;
      const spec = await markingJob(marks);
      const jobs: Status[] = [];
      for (let i = 0; i < 5; i++) jobs.push(await a.submit({ ...spec, concurrency: { group, limit: 1 } }));
      assert.equal(jobs[0]?.state, 'queued');
      assert.deepEqual(jobs.slice(1).map((j) => j.state), ['waiting', 'waiting', 'waiting', 'waiting']);

      const last = jobs[4]!.id;
      const positions: number[] = [];
      const reasons = new Set<string>();
      for (;;) {
        const s = await a.status(last);
        if (s.queuePosition != null) positions.push(s.queuePosition);
        if (s.waitingReason) reasons.add(s.waitingReason);
        if (s.state !== 'queued' && s.state !== 'waiting') break;
        await sleep(30);
      }
      const done: Status[] = [];
      for (const j of jobs) done.push(await end(a, j.id));
      assert.deepEqual(done.map((j) => j.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
      assertOneAtATime(marks, jobs.map((j) => j.id));
      // A freed slot goes to the next job at once: from one job's recorded end to the next one running.
      const handoffs = done.slice(1).map((j, i) => Date.parse(j.startedAt ?? '') - Date.parse(done[i]?.finishedAt ?? ''));
      diagnostic(`slot hand-off ms (end recorded → next running): ${handoffs.join(', ')}`);
      // Tens of milliseconds when idle; the bound leaves room for a loaded machine, not for a poll.
      for (const ms of handoffs) assert.ok(ms >= 0 && ms < 3000, `hand-offs ${handoffs.join(', ')} ms`);

      assert.ok(positions.length > 0, 'no queue position was ever shown');
      assert.ok(Math.max(...positions) >= 3, `positions ${positions.join(',')}`);
      assert.equal(Math.min(...positions), 1, `positions ${positions.join(',')}`);
      positions.forEach((p, i) => assert.ok(i === 0 || p <= positions[i - 1]!, `position rose: ${positions.join(',')}`));
      assert.ok([...reasons].some((r) => r.includes(`slot in concurrency group ${group}`)), [...reasons].join('; '));
      // Not a group, not waiting: nothing to report.
      assert.equal((await a.status(last)).queuePosition, null);
    });

    it('supersede: a newer job cancels the pending ones, naming itself; the running one finishes', async () => {
      const marks = join(dir, `marks-${randomUUID()}`);
      const group = `s-${randomUUID()}`;
      // The first job holds the group's slot until the test opens its gate.
      const gate = join(dir, `gate-${randomUUID()}`);
      const first = await a.submit({ ...(await markingJob(marks, `while [ ! -e ${gate} ]; do sleep 0.05; done`)), concurrency: { group } });
      while (!spans(marks).has(first.id)) await sleep(30);
      const pending = [await a.submit({ ...(await markingJob(marks)), concurrency: { group } })];
      pending.push(await a.submit({ ...(await markingJob(marks)), concurrency: { group } }));
      const newest = await a.submit({ ...(await markingJob(marks)), concurrency: { group, policy: 'supersede' } });
      assert.equal(newest.state, 'waiting');
      writeFileSync(gate, '');
      for (const p of pending) {
        const s = await end(a, p.id);
        assert.equal(s.state, 'cancelled', JSON.stringify(await transitionsOf(fixture, group)));
        assert.match(s.errorReason ?? '', new RegExp(`superseded by job ${newest.id}`));
        assert.equal(s.startedAt, null);
      }
      assert.equal((await end(a, first.id)).state, 'succeeded');
      assert.equal((await end(a, newest.id)).state, 'succeeded');
      assertOneAtATime(marks, [first.id, newest.id]);
      assert.equal(spans(marks).size, 2, 'a superseded job ran');
    });

    it('cancel-running: a newer job stops the running one (cleanup runs) and then runs', async () => {
      const marks = join(dir, `marks-${randomUUID()}`);
      const group = `c-${randomUUID()}`;
      const running = await a.submit({ ...(await markingJob(marks, 'sleep 60')), concurrency: { group } });
      while (!spans(marks).has(running.id)) await sleep(30);
      const newest = await a.submit({ ...(await markingJob(marks)), concurrency: { group, policy: 'cancel-running' } });
      const stopped = await end(a, running.id);
      assert.equal(stopped.state, 'cancelled');
      assert.equal(stopped.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
      assert.equal((await end(a, newest.id)).state, 'succeeded');
      const s = spans(marks);
      assert.ok((s.get(newest.id)?.start ?? 0n) > 0n);
      assert.ok(new Date(stopped.finishedAt ?? 0) <= new Date((await a.status(newest.id)).startedAt ?? 0), 'the newer job started before the older one ended');
    });

    it('a group of 2 never runs more than 2 at once', async () => {
      const marks = join(dir, `marks-${randomUUID()}`);
      const group = `two-${randomUUID()}`;
      // Each job waits (up to 10 s) until two have started: two overlap if the group lets them.
      const spec = await markingJob(marks, `for i in $(seq 200); do [ "$(grep -c ' start ' "$MARKS")" -ge 2 ] && break; sleep 0.05; done; sleep 0.2`);
      const jobs: Status[] = [];
      for (let i = 0; i < 5; i++) jobs.push(await a.submit({ ...spec, concurrency: { group, limit: 2 } }));
      for (const j of jobs) assert.equal((await end(a, j.id)).state, 'succeeded');
      const events = [...spans(marks).values()].flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]);
      events.sort((x, y) => (x.t === y.t ? x.d - y.d : x.t < y.t ? -1 : 1));
      let now = 0;
      let most = 0;
      for (const e of events) most = Math.max(most, (now += e.d));
      assert.equal(most, 2, JSON.stringify([...spans(marks).values()].map((x) => [Number(x.start / 1_000_000n) % 100_000, Number(x.end / 1_000_000n) % 100_000])));
    });

    it('a dependency chain A → B → C runs in order', async () => {
      const marks = join(dir, `marks-${randomUUID()}`);
      const spec = await markingJob(marks);
      const first = await a.submit(spec);
      const second = await a.submit({ ...spec, dependsOn: [{ jobId: first.id }] });
      const third = await a.submit({ ...spec, dependsOn: [{ jobId: second.id }] });
      assert.equal(third.state, 'waiting');
      const waiting = await a.status(third.id);
      if (waiting.state === 'waiting') assert.match(waiting.waitingReason ?? '', new RegExp(`dependencies to end: ${second.id}`));
      for (const j of [first, second, third]) assert.equal((await end(a, j.id)).state, 'succeeded');
      assertOneAtATime(marks, [first.id, second.id, third.id]);
    });

    it('a failed dependency cancels its dependants with a reason; a dependency that allows failure runs', async () => {
      const src = await makeTree({ 'reactorcide_job.sh': 'exit 4\n' });
      const failing = await a.submit({ source: { kind: 'directory', path: src } });
      const ok = await makeTree({ 'reactorcide_job.sh': 'true\n' });
      const dependant = await a.submit({ source: { kind: 'directory', path: ok }, dependsOn: [{ jobId: failing.id }] });
      const transitive = await a.submit({ source: { kind: 'directory', path: ok }, dependsOn: [{ jobId: dependant.id }] });
      const tolerant = await a.submit({ source: { kind: 'directory', path: ok }, dependsOn: [{ jobId: failing.id, states: ['succeeded', 'failed'] }] });
      assert.equal((await end(a, failing.id)).state, 'failed');
      const cancelled = await end(a, dependant.id);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(cancelled.errorReason, `dependency ${failing.id} ended failed (this job needed succeeded)`);
      const chained = await end(a, transitive.id);
      assert.equal(chained.state, 'cancelled');
      assert.match(chained.errorReason ?? '', new RegExp(`dependency ${dependant.id} ended cancelled`));
      assert.equal((await end(a, tolerant.id)).state, 'succeeded');
    });

    it('a dependency that already ended resolves at once; one that does not exist is refused with 422', async () => {
      const ok = await makeTree({ 'reactorcide_job.sh': 'true\n' });
      const done = await a.submit({ source: { kind: 'directory', path: ok } });
      assert.equal((await end(a, done.id)).state, 'succeeded');
      const later = await a.submit({ source: { kind: 'directory', path: ok }, dependsOn: [{ jobId: done.id }] });
      assert.equal((await end(a, later.id)).state, 'succeeded');

      const missing = randomUUID();
      const refused = await a.submitRaw({ source: { kind: 'directory', path: ok }, dependsOn: [{ jobId: missing }] });
      assert.equal(refused.status, 422);
      const body = (await refused.json()) as { error: { code: string; field: string; message: string } };
      assert.equal(body.error.field, 'spec.dependsOn[0].jobId');
      assert.match(body.error.message, new RegExp(`no job ${missing}`));
    });

    it('cancelling a waiting dependency cancels its dependants; a waiting job can be cancelled', async () => {
      const long = await makeTree({ 'reactorcide_job.sh': 'sleep 60\n' });
      const blocker = await a.submit({ source: { kind: 'directory', path: long } });
      const waiter = await a.submit({ source: { kind: 'directory', path: long }, dependsOn: [{ jobId: blocker.id }] });
      const second = await a.submit({ source: { kind: 'directory', path: long }, dependsOn: [{ jobId: waiter.id }] });
      assert.equal(await a.cancel(waiter.id), 200);
      assert.equal((await end(a, waiter.id)).state, 'cancelled');
      const s = await end(a, second.id);
      assert.equal(s.state, 'cancelled');
      assert.match(s.errorReason ?? '', new RegExp(`dependency ${waiter.id} ended cancelled`));
      assert.equal(await a.cancel(blocker.id), 200);
      assert.equal((await end(a, blocker.id)).state, 'cancelled');
    });
  });
}
