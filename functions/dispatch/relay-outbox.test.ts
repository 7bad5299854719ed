/**
 * The relay on real Postgres with the Postgres queue: runs of plain enqueues go as one batch
 * (one statement to the queue, one to mark them), every other row one at a time in outbox order,
 * and a batch the queue refuses falls back to row by row, so one bad row holds up only itself.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgDispatchStore } from '../../adapters/postgres/dispatch-store.ts';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { sampleSpec } from '../../adapters/postgres/test-support/store-contract.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createPgTaskQueue } from '../../adapters/pgqueue/index.ts';
import type { TaskQueue } from '../../core/ports/task-queue.ts';
import { relayOutbox } from './relay-outbox.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

/** The queue, counting its calls. */
function counted(queue: TaskQueue): { queue: TaskQueue; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A): R => {
    calls[name] = (calls[name] ?? 0) + 1;
    return f(...a);
  };
  return {
    calls,
    queue: {
      ...queue,
      enqueue: count('enqueue', queue.enqueue),
      remove: count('remove', queue.remove),
      ...(queue.enqueueMany ? { enqueueMany: count('enqueueMany', queue.enqueueMany) } : {}),
    },
  };
}

test('plain enqueues go as batches around a cancel, in order; each job keeps its task handle and is claimable', async () => {
  const jobs = createPgJobStore(t.db);
  const dispatch = createPgDispatchStore(t.db);
  const { queue, calls } = counted(createPgTaskQueue({ db: t.db, wake: 'in-process' }));
  const spec = sampleSpec({ queue: 'relay-batch' });
  const a = await Promise.all([1, 2, 3].map(() => jobs.submit({ spec, submittedBy: null })));
  const cancelled = (await jobs.submit({ spec, submittedBy: null })).job;
  await jobs.requestCancel(cancelled.id);
  const b = await Promise.all([1, 2].map(() => jobs.submit({ spec, submittedBy: null })));

  assert.equal(await relayOutbox({ dispatch, queue }), 7);
  assert.deepEqual(await dispatch.pendingOutbox(100), []);
  // 3 + the cancelled job's enqueue, then its cancel alone, then 2.
  assert.equal(calls['enqueueMany'], 2);
  assert.equal(calls['enqueue'] ?? 0, 0);
  const live = [...a, ...b].map((s) => s.job.id);
  const refs = await t.db.manyOrNone<{ id: string; queue_ref: string | null }>('SELECT id, queue_ref FROM jobs WHERE id = ANY($1::uuid[])', [live]);
  assert.ok(refs.every((r) => r.queue_ref !== null && /^[0-9]+$/.test(r.queue_ref)), JSON.stringify(refs));
  const claimed: string[] = [];
  for (let task = await queue.claim('relay-batch', 60); task !== null; task = await queue.claim('relay-batch', 60)) claimed.push(task.jobId);
  assert.deepEqual(claimed.sort(), [...live].sort(), 'the cancelled job left the queue; every other job is claimable once');
});

test('a batch the queue refuses is relayed row by row: the good rows go, the bad one stays with its error', async () => {
  const jobs = createPgJobStore(t.db);
  const dispatch = createPgDispatchStore(t.db);
  const real = createPgTaskQueue({ db: t.db, wake: 'in-process' });
  const spec = sampleSpec({ queue: 'relay-fallback' });
  const ok = await Promise.all([1, 2].map(() => jobs.submit({ spec, submittedBy: null })));
  const bad = (await jobs.submit({ spec, submittedBy: null })).job;
  const queue: TaskQueue = {
    ...real,
    enqueueMany: () => Promise.reject(new Error('the queue is down for batches')),
    enqueue: async (input) => {
      if (input.jobId === bad.id) throw new Error('this task is refused');
      return real.enqueue(input);
    },
  };
  assert.equal(await relayOutbox({ dispatch, queue }), 2);
  const pending = await dispatch.pendingOutbox(100);
  assert.deepEqual(pending.map((e) => e.jobId), [bad.id]);
  const row = await t.db.one<{ last_error: string }>('SELECT last_error FROM job_outbox WHERE job_id = $1', [bad.id]);
  assert.equal(row.last_error, 'this task is refused');
  const claimed = [await real.claim('relay-fallback', 60), await real.claim('relay-fallback', 60)].map((c) => c?.jobId);
  assert.deepEqual(claimed.sort(), ok.map((s) => s.job.id).sort());
});
