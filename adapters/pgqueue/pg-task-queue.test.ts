import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeDatabase, openDatabase, type Db } from '../postgres/database.ts';
import { createTestDatabase, type TestDatabase } from '../postgres/test-support/test-database.ts';
import { taskQueueContract, type TaskQueueFixture } from '../../core/ports/test-support/task-queue-contract.ts';
import { createPgTaskQueue, type PgTaskQueue } from './pg-task-queue.ts';
import { queueSql } from './pg-task-queue-sql.ts';

// Real Postgres on loopback: two queue instances on two pools, woken through LISTEN/NOTIFY, as
// an API process and a dispatcher process would be.
let t: TestDatabase;
let peerDb: Db;
let queue: PgTaskQueue;
let peer: PgTaskQueue;
const listenErrors: unknown[] = [];
before(async () => {
  t = await createTestDatabase();
  peerDb = openDatabase({ connectionString: t.url, maxConnections: 4 });
  queue = createPgTaskQueue({ db: t.db, wake: 'listen', prepared: true, onListenError: (err) => listenErrors.push(err) });
  peer = createPgTaskQueue({ db: peerDb, wake: 'listen' });
  await Promise.all([queue.start(), peer.start()]);
});
after(async () => {
  await queue.close();
  await peer.close();
  await closeDatabase(peerDb);
  await t.drop();
});

const fixture = (): TaskQueueFixture => ({ queue, peer, idempotentEnqueue: true, wakesOnEnqueue: true });
taskQueueContract('pgqueue on postgres', fixture);

test('a lost LISTEN connection reconnects, and waiters are woken by later notifications', { timeout: 20_000 }, async () => {
  const q = 'reconnect';
  const errorsBefore = listenErrors.length;
  const killed = await t.db.one<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND query = 'LISTEN "reactorcide_task_queue"' AND pid <> pg_backend_pid()`,
  );
  assert.ok(killed.n >= 1, 'found the LISTEN connections');
  // Wait for the queue's listener to notice the loss, then to listen again.
  while (listenErrors.length === errorsBefore) await new Promise((r) => setTimeout(r, 10));
  await queue.start();
  await peer.start();
  const woken = queue.waitForWork(q, 600_000);
  await peer.enqueue({ jobId: 'after-reconnect', queue: q, priority: 0 });
  await woken;
  assert.equal((await queue.claim(q, 60))?.jobId, 'after-reconnect');
});

test('an enqueue between an empty claim and the wait is not missed', { timeout: 20_000 }, async () => {
  const q = 'gap';
  assert.equal(await queue.claim(q, 60), null);
  await peer.enqueue({ jobId: 'in-the-gap', queue: q, priority: 0 });
  // The NOTIFY may arrive before the wait begins; the wait must still return at once.
  await new Promise((r) => setTimeout(r, 50));
  await queue.waitForWork(q, 600_000);
  assert.equal((await queue.claim(q, 60))?.jobId, 'in-the-gap');
});

test('a queue that cannot reach the database still waits out its timeout, and closes', { timeout: 20_000 }, async () => {
  const dead = openDatabase({ connectionString: 'postgres://postgres@127.0.0.1:1/none', maxConnections: 1 });
  const errors: unknown[] = [];
  const q = createPgTaskQueue({ db: dead, wake: 'listen', onListenError: (err) => errors.push(err) });
  await q.waitForWork('x', 100);
  await assert.rejects(() => q.claim('x', 60), (err: unknown) => (err as { code?: string }).code === 'unavailable');
  await q.close();
  await closeDatabase(dead);
  assert.ok(errors.length >= 1);
});

test('a claim and a heartbeat turn off the WAL flush for their own transaction, and only for it', async () => {
  const sql = queueSql(null);
  const { ref } = await queue.enqueue({ jobId: 'async-commit', queue: 'async-commit', priority: 0 });
  const settings = await t.db.tx(async (tx) => {
    const claimed = await tx.one<{ lease_ms: string }>(sql.claim, ['async-commit', 60]);
    const afterClaim = (await tx.one<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).s;
    await tx.none('SET LOCAL synchronous_commit = on');
    await tx.one(sql.extend, [ref, claimed.lease_ms, 60]);
    return [afterClaim, (await tx.one<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).s];
  });
  assert.deepEqual(settings, ['off', 'off']);
  assert.equal((await t.db.one<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).s, 'on');
});
