import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relayOutbox } from '../../functions/dispatch/relay-outbox.ts';
import { startEmbeddedPostgres } from '../pglite/embedded-postgres.ts';
import { closeDatabase, openDatabase, type Db } from '../postgres/database.ts';
import { createPgDispatchStore } from '../postgres/dispatch-store.ts';
import { createPgJobStore } from '../postgres/job-store.ts';
import { migrate } from '../postgres/migrator.ts';
import { sampleSpec } from '../postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../postgres/test-support/test-database.ts';
import { pgInlineEnqueue } from './inline-enqueue.ts';
import { createPgTaskQueue } from './pg-task-queue.ts';
import { createWakeupHub } from './wakeup-hub.ts';

// Submits that enqueue their own task (`serve` on the Postgres queue): the same outcomes as the
// outbox and the relay, on real Postgres (prepared statements, NOTIFY) and on embedded PGlite.
const backends = [
  {
    name: 'postgres',
    async open() {
      const t = await createTestDatabase();
      return { db: t.db, embedded: false, close: () => t.drop() };
    },
  },
  {
    name: 'pglite',
    async open() {
      const pg = await startEmbeddedPostgres();
      const db = openDatabase({ ...pg.connection, maxConnections: 4 });
      await migrate(db);
      return {
        db,
        embedded: true,
        async close() {
          await closeDatabase(db);
          await pg.close();
        },
      };
    },
  },
];

const outboxRows = async (db: Db): Promise<number> => (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM job_outbox')).n;

for (const backend of backends) {
  test(`${backend.name}: a plain submit writes its task and no outbox row; the claim is the job's, by the ref the job keeps`, async () => {
    const b = await backend.open();
    const hub = createWakeupHub();
    const queue = createPgTaskQueue({ db: b.db, wake: 'in-process', hub });
    try {
      const woken: string[] = [];
      const { wake } = hub;
      hub.wake = (q) => (woken.push(q), wake(q));
      const jobs = createPgJobStore(b.db, { prepared: !b.embedded, inlineEnqueue: pgInlineEnqueue({ hub, notify: false }) });
      // Concurrent submits go as one statement (the batched insert) and alone; both enqueue.
      const submitted = await Promise.all(Array.from({ length: 5 }, () => jobs.submit({ spec: sampleSpec({ queue: 'inline' }), submittedBy: null })));
      const alone = await jobs.submit({ spec: sampleSpec({ queue: 'inline' }), submittedBy: null });
      const ids = [...submitted.map((s) => s.job.id), alone.job.id];
      assert.equal(await outboxRows(b.db), 0);
      assert.equal(woken.filter((q) => q === 'inline').length, 6);
      const dispatch = createPgDispatchStore(b.db, { prepared: !b.embedded });
      const claimed = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const task = await queue.claim('inline', 30);
        assert.ok(task, `claim ${i}`);
        assert.equal((await dispatch.taskOf(task.jobId))?.queueRef, task.ref);
        claimed.add(task.jobId);
      }
      assert.deepEqual([...claimed].sort(), [...ids].sort());
      assert.equal(await queue.claim('inline', 30), null);
      // Idempotent submits: enqueued once, and a replay enqueues nothing.
      const idempotency = { scope: 'tok', key: 'k-1', requestHash: 'h1' };
      const first = await jobs.submit({ spec: sampleSpec({ queue: 'inline' }), submittedBy: null, idempotency });
      const replay = await jobs.submit({ spec: sampleSpec({ queue: 'inline' }), submittedBy: null, idempotency });
      assert.equal(replay.replayed, true);
      assert.equal((await queue.claim('inline', 30))?.jobId, first.job.id);
      assert.equal(await queue.claim('inline', 30), null);
    } finally {
      await queue.close();
      await b.close();
    }
  });

  test(`${backend.name}: a job that waits on another gets a task it cannot be claimed by until its release comes through the relay`, async () => {
    const b = await backend.open();
    const hub = createWakeupHub();
    const queue = createPgTaskQueue({ db: b.db, wake: 'in-process', hub });
    try {
      const jobs = createPgJobStore(b.db, { prepared: !b.embedded, inlineEnqueue: pgInlineEnqueue({ hub, notify: false }) });
      const dispatch = createPgDispatchStore(b.db, { prepared: !b.embedded });
      const { job: first } = await jobs.submit({ spec: sampleSpec({ queue: 'deps' }), submittedBy: null });
      const { job: second } = await jobs.submit({ spec: sampleSpec({ queue: 'deps', dependsOn: [{ jobId: first.id, states: ['succeeded'] }] }), submittedBy: null });
      assert.equal(second.state, 'waiting');
      const task = await queue.claim('deps', 30);
      assert.equal(task?.jobId, first.id);
      assert.equal(await queue.claim('deps', 30), null);
      await dispatch.startRun(first.id, 'd1');
      await jobs.transition(first.id, { to: 'running' });
      await jobs.transition(first.id, { to: 'succeeded', exitCode: 0 });
      assert.equal(await queue.claim('deps', 30), null, 'released only by the relay');
      assert.equal(await relayOutbox({ dispatch, queue }), 1);
      assert.equal((await queue.claim('deps', 30))?.jobId, second.id);
    } finally {
      await queue.close();
      await b.close();
    }
  });
}

test('postgres: with notify, a dispatcher in another process (its own LISTEN) wakes on the submit', { timeout: 20_000 }, async () => {
  const t = await createTestDatabase();
  const listener = createPgTaskQueue({ db: t.db, wake: 'listen' });
  try {
    await listener.start();
    const jobs = createPgJobStore(t.db, { prepared: true, inlineEnqueue: pgInlineEnqueue({ hub: createWakeupHub(), notify: true }) });
    const waited = listener.waitForWork('heard', 15_000);
    const t0 = performance.now();
    await jobs.submit({ spec: sampleSpec({ queue: 'heard' }), submittedBy: null });
    await waited;
    assert.ok(performance.now() - t0 < 10_000, 'woken by the NOTIFY, not by the poll timeout');
    assert.ok(await listener.claim('heard', 30));
  } finally {
    await listener.close();
    await t.drop();
  }
});
