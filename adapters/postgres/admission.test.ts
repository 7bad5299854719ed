/**
 * Migration 0007 under real concurrency (Postgres; embedded PGlite is one session, so nothing
 * there races): many submitters and "dispatchers" on separate connections at once. The limit of
 * a group holds across them, a dependency ending at the moment its dependant is submitted never
 * strands the dependant, and no transaction deadlocks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JobSpec } from '../../core/job-spec.ts';
import { createPgDispatchStore } from './dispatch-store.ts';
import { createPgJobStore } from './job-store.ts';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.ts';
import { sampleSpec } from './test-support/store-contract.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

const inGroup = (group: string, limit: number, policy: 'queue' | 'supersede' | 'cancel-running' = 'queue'): JobSpec =>
  sampleSpec({ concurrency: { group, limit, policy } });

test('the start of a group job counts the group under its lock: of two queued jobs in a group of 1, one starts', async () => {
  const jobs = createPgJobStore(t.db, { insertBatch: false });
  const dispatch = createPgDispatchStore(t.db);
  for (let round = 0; round < 20; round++) {
    const group = `start-${randomUUID()}`;
    const a = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
    const b = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
    assert.equal(a.state, 'queued');
    assert.equal(b.state, 'waiting');
    // Something other than admission queued the second one (say, a bug): the start still refuses.
    await t.db.none(`UPDATE jobs SET state = 'queued' WHERE id = $1`, [b.id]);
    const started = await Promise.all([dispatch.startRun(a.id, 'd1'), dispatch.startRun(b.id, 'd2')]);
    assert.equal(started.filter((j) => j !== null).length, 1, `round ${round}`);
  }
});

test('a group of 3 under 40 concurrent submits and 4 racing dispatchers never holds more than 3 runs, and every job ends', async () => {
  const jobs = createPgJobStore(t.db);
  const dispatch = createPgDispatchStore(t.db, { prepared: true });
  const group = `storm-${randomUUID()}`;
  const ids = (await Promise.all(Array.from({ length: 40 }, () => jobs.submit({ spec: inGroup(group, 3), submittedBy: null })))).map((r) => r.job.id);
  let running = 0;
  let most = 0;
  const dispatcher = async (name: string): Promise<void> => {
    for (;;) {
      const left = await t.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE concurrency_group = $1 AND state NOT IN ('succeeded','cancelled')`,
        [group],
      );
      if (left.n === 0) return;
      const next = await t.db.oneOrNone<{ id: string }>(
        `SELECT id FROM jobs WHERE concurrency_group = $1 AND state = 'queued' ORDER BY random() LIMIT 1`,
        [group],
      );
      if (next === null) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      const job = (await dispatch.startRun(next.id, name))?.job ?? null;
      if (job === null) continue;
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
      running--;
      await jobs.transition(job.id, { to: 'succeeded', exitCode: 0 });
    }
  };
  await Promise.all(['d1', 'd2', 'd3', 'd4'].map(dispatcher));
  assert.ok(most <= 3, `${most} ran at once`);
  assert.ok(most >= 2, `never more than ${most} at once: the group did not use its slots`);
  const states = await t.db.manyOrNone<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) GROUP BY state',
    [ids],
  );
  assert.deepEqual(states, [{ state: 'succeeded', n: 40 }]);
  // Submit order: each job started after every job submitted before it had started.
  const order = await t.db.manyOrNone<{ id: string }>(
    `SELECT j.id FROM jobs j JOIN job_transitions tr ON tr.job_id = j.id AND tr.to_state = 'starting'
     WHERE j.id = ANY($1::uuid[]) ORDER BY tr.id`,
    [ids],
  );
  const admitted = await t.db.manyOrNone<{ id: string }>(
    `SELECT id FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY submit_seq`,
    [ids],
  );
  // Admission is in submit order: with 3 slots no job starts before the jobs submitted 3 or more
  // ahead of it have started. (Not the other way: these dispatchers pick a queued job at random, so
  // an admitted job may wait while later admitted ones start; a real queue takes the oldest.)
  const pos = new Map(admitted.map((r, i) => [r.id, i]));
  order.forEach((r, i) => assert.ok((pos.get(r.id) ?? 99) - i < 3, `job ${pos.get(r.id)} started ${i}th`));
});

test('a dependency ending while its dependant is submitted never strands the dependant', async () => {
  const jobs = createPgJobStore(t.db);
  const dispatch = createPgDispatchStore(t.db);
  const dependants: string[] = [];
  await Promise.all(
    Array.from({ length: 30 }, async () => {
      const dep = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job;
      await dispatch.startRun(dep.id, 'd');
      await jobs.transition(dep.id, { to: 'running' });
      const [, submitted] = await Promise.all([
        jobs.transition(dep.id, { to: 'succeeded', exitCode: 0 }),
        jobs.submit({ spec: sampleSpec({ dependsOn: [{ jobId: dep.id, states: ['succeeded'] }] }), submittedBy: null }),
      ]);
      dependants.push(submitted.job.id);
    }),
  );
  const rows = await t.db.manyOrNone<{ state: string }>('SELECT state FROM jobs WHERE id = ANY($1::uuid[])', [dependants]);
  assert.equal(rows.length, 30);
  assert.deepEqual([...new Set(rows.map((r) => r.state))], ['queued']);
  // Each admitted job has its release in the outbox, for the relay to make its task claimable.
  const released = await t.db.one<{ n: number }>(
    `SELECT count(DISTINCT job_id)::int AS n FROM job_outbox WHERE kind = 'release' AND job_id = ANY($1::uuid[])`,
    [dependants],
  );
  assert.equal(released.n, 30);
});

test('supersede under concurrent submits leaves exactly the newest pending job', async () => {
  for (let round = 0; round < 10; round++) await supersedeRound();
});

async function supersedeRound(): Promise<void> {
  const jobs = createPgJobStore(t.db);
  const group = `sup-${randomUUID()}`;
  const blocker = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
  await createPgDispatchStore(t.db).startRun(blocker.id, 'd');
  const submitted = await Promise.all(
    Array.from({ length: 12 }, () => jobs.submit({ spec: inGroup(group, 1, 'supersede'), submittedBy: null })),
  );
  const pending = await t.db.manyOrNone<{ id: string }>(
    `SELECT id FROM jobs WHERE concurrency_group = $1 AND state IN ('queued','waiting')`,
    [group],
  );
  assert.equal(pending.length, 1);
  const newest = await t.db.one<{ id: string }>(
    'SELECT id FROM jobs WHERE id = ANY($1::uuid[]) ORDER BY submit_seq DESC LIMIT 1',
    [submitted.map((s) => s.job.id)],
  );
  assert.equal(pending[0]?.id, newest.id);
  const reasons = await t.db.manyOrNone<{ error_reason: string }>(
    `SELECT error_reason FROM jobs WHERE concurrency_group = $1 AND state = 'cancelled'`,
    [group],
  );
  assert.equal(reasons.length, 11);
  for (const r of reasons) assert.match(r.error_reason, /^superseded by job [0-9a-f-]{36} in concurrency group /);
}

test('a pending job held for a moment by a short writer (the relay storing its task) is still admitted and still superseded', async () => {
  const jobs = createPgJobStore(t.db, { insertBatch: false });
  const dispatch = createPgDispatchStore(t.db);
  const holdBriefly = (id: string) =>
    t.db.tx(async (tx) => {
      await tx.none(`UPDATE jobs SET queue_ref = 'held' WHERE id = $1`, [id]);
      await tx.one('SELECT pg_sleep(0.1)::text');
    });
  const afterHold = async <T>(f: () => Promise<T>): Promise<T> => {
    await new Promise((r) => setTimeout(r, 20));
    return f();
  };

  const group = `held-${randomUUID()}`;
  const running = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
  await dispatch.startRun(running.id, 'd');
  const next = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
  assert.equal(next.state, 'waiting');
  await Promise.all([holdBriefly(next.id), afterHold(() => jobs.transition(running.id, { to: 'succeeded', exitCode: 0 }))]);
  assert.equal((await jobs.get(next.id))?.state, 'queued', 'the freed slot went to nobody');

  const pending = (await jobs.submit({ spec: inGroup(group, 1), submittedBy: null })).job;
  assert.equal(pending.state, 'waiting');
  const [, newest] = await Promise.all([
    holdBriefly(pending.id),
    afterHold(() => jobs.submit({ spec: inGroup(group, 1, 'supersede'), submittedBy: null })),
  ]);
  const superseded = await jobs.get(pending.id);
  assert.equal(superseded?.state, 'cancelled');
  assert.equal(superseded?.errorReason, `superseded by job ${newest.job.id} in concurrency group ${group}`);
});

test('a submit that takes the group lock last is the newest, whatever number it drew first', async () => {
  const jobs = createPgJobStore(t.db, { insertBatch: false });
  const group = `late-${randomUUID()}`;
  const dependency = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job;
  // Hold the dependency's row: the first submit below takes its number, then stops at that row,
  // before the group lock. The second submit takes a later number and the group lock, and commits.
  let release = (): void => undefined;
  const released = new Promise<void>((r) => (release = r));
  let locked = (): void => undefined;
  const rowLocked = new Promise<void>((r) => (locked = r));
  const holder = t.db.tx(async (tx) => {
    await tx.one('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [dependency.id]);
    locked();
    await released;
  });
  await rowLocked;
  const first = jobs.submit({
    spec: { ...inGroup(group, 1, 'supersede'), dependsOn: [{ jobId: dependency.id, states: ['succeeded'] }] },
    submittedBy: null,
  });
  await t.db.one('SELECT pg_sleep(0.05)::text');
  const second = (await jobs.submit({ spec: inGroup(group, 1, 'supersede'), submittedBy: null })).job;
  release();
  await holder;
  const late = (await first).job;

  assert.equal((await jobs.get(second.id))?.state, 'cancelled');
  assert.equal((await jobs.get(late.id))?.state, 'waiting');
  const order = await t.db.manyOrNone<{ id: string }>('SELECT id FROM jobs WHERE concurrency_group = $1 ORDER BY submit_seq', [group]);
  assert.deepEqual(order.map((r) => r.id), [second.id, late.id], 'submit order within the group is the order of admission');
});
