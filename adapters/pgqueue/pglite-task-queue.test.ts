import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../pglite/embedded-postgres.ts';
import { closeDatabase, openDatabase, type Db } from '../postgres/database.ts';
import { migrate } from '../postgres/migrator.ts';
import { taskQueueContract, type TaskQueueFixture } from '../../core/ports/test-support/task-queue-contract.ts';
import { createPgTaskQueue, type PgTaskQueue } from './pg-task-queue.ts';
import { createWakeupHub } from './wakeup-hub.ts';

// Embedded mode: PGlite reached in-process (one Postgres session, NOTIFY does not cross
// connections), so the API's enqueuer and the dispatcher share one process and one wake-up hub.
let pg: EmbeddedPostgres;
let db: Db;
let peerDb: Db;
let queue: PgTaskQueue;
let peer: PgTaskQueue;
before(async () => {
  pg = await startEmbeddedPostgres();
  db = openDatabase({ ...pg.connection, maxConnections: 4 });
  peerDb = openDatabase({ ...pg.connection, maxConnections: 4, applicationName: 'peer' });
  await migrate(db);
  const hub = createWakeupHub();
  queue = createPgTaskQueue({ db, wake: 'in-process', hub, prepared: true });
  peer = createPgTaskQueue({ db: peerDb, wake: 'in-process', hub });
});
after(async () => {
  await queue.close();
  await peer.close();
  await closeDatabase(db);
  await closeDatabase(peerDb);
  await pg.close();
});

const fixture = (): TaskQueueFixture => ({ queue, peer, idempotentEnqueue: true, wakesOnEnqueue: true });
taskQueueContract('pgqueue on pglite', fixture);

test('in-process: an enqueue between an empty claim and the wait is not missed', { timeout: 20_000 }, async () => {
  assert.equal(await queue.claim('gap', 60), null);
  await peer.enqueue({ jobId: 'in-the-gap', queue: 'gap', priority: 0 });
  await queue.waitForWork('gap', 600_000);
  assert.equal((await queue.claim('gap', 60))?.jobId, 'in-the-gap');
});

test('in-process: close ends the waits of that queue', { timeout: 20_000 }, async () => {
  const own = createPgTaskQueue({ db, wake: 'in-process' });
  const waiting = own.waitForWork('closing', 600_000);
  await own.close();
  await waiting;
});
