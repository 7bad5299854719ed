import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMigratedPglite } from '../pglite/test-support/migrated-pglite.ts';
import type { Db } from '../postgres/database.ts';
import { createPgDispatchStore } from '../postgres/dispatch-store.ts';
import { createPgJobStore } from '../postgres/job-store.ts';
import { sampleSpec } from '../postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../postgres/test-support/test-database.ts';
import type { ClaimedTask } from '../../core/ports/task-queue.ts';
import { pgInlineEnqueue } from './inline-enqueue.ts';
import { fencedCompleteCte } from './pg-task-queue-sql.ts';
import { createPgTaskQueue } from './pg-task-queue.ts';
import { createWakeupHub } from './wakeup-hub.ts';

// A run's end and its task's completion as one write fenced by the claim (DispatchStore.endRun
// with this queue's fencedCompleteCte), on real Postgres and on embedded PGlite.
const backends = [
  {
    name: 'postgres',
    async open() {
      const t = await createTestDatabase();
      return { db: t.db, close: () => t.drop() };
    },
  },
  { name: 'pglite', open: () => openMigratedPglite('rc-fenced-end-') },
];

async function runningJob(db: Db): Promise<{ task: ClaimedTask; tasks: () => Promise<number> }> {
  const hub = createWakeupHub();
  const jobs = createPgJobStore(db, { prepared: true, inlineEnqueue: pgInlineEnqueue({ hub, notify: false }) });
  const { job } = await jobs.submit({ spec: sampleSpec({ queue: 'fenced' }), submittedBy: null });
  const task = await createPgTaskQueue({ db, wake: 'in-process', hub, prepared: true }).claim('fenced', 60);
  assert.equal(task?.jobId, job.id);
  assert.notEqual(await createPgDispatchStore(db).startRun(job.id, 'd1'), null);
  await jobs.transition(job.id, { to: 'running', attempt: 1 });
  const tasks = async () => (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM task_queue WHERE job_id = $1', [job.id])).n;
  return { task: task as ClaimedTask, tasks };
}

for (const backend of backends) {
  test(`${backend.name}: endRun records the end and completes the task in one write; a lost claim writes nothing; a job ended meanwhile keeps its end`, async () => {
    const b = await backend.open();
    try {
      const dispatch = createPgDispatchStore(b.db, { prepared: true, fencedComplete: fencedCompleteCte });
      const jobs = createPgJobStore(b.db, { prepared: true });
      const end = { to: 'succeeded', attempt: 1, exitCode: 0, errorReason: null, phases: [] } as const;

      const plain = await runningJob(b.db);
      assert.equal(await dispatch.endRun?.(plain.task, end), 'ended');
      const ended = await jobs.get(plain.task.jobId);
      assert.equal(ended?.state, 'succeeded');
      assert.equal(ended?.exitCode, 0);
      assert.notEqual(ended?.finishedAt, null);
      assert.equal(await plain.tasks(), 0);
      assert.equal(await dispatch.endRun?.(plain.task, end), 'claim_lost', 'the task is gone: no second end');

      // Another dispatcher took the task over: its lease, and so its fencing token, changed.
      const taken = await runningJob(b.db);
      await b.db.none(`UPDATE task_queue SET lease_expires_at = lease_expires_at + interval '1 second' WHERE id = $1`, [taken.task.ref]);
      assert.equal(await dispatch.endRun?.(taken.task, end), 'claim_lost');
      assert.equal((await jobs.get(taken.task.jobId))?.state, 'running');
      assert.equal(await taken.tasks(), 1);

      // A cancel that raced the end: the first end stands, and the task is done with.
      const raced = await runningJob(b.db);
      await jobs.transition(raced.task.jobId, { to: 'cancelled', attempt: 1 });
      assert.equal(await dispatch.endRun?.(raced.task, end), 'already_ended');
      assert.equal((await jobs.get(raced.task.jobId))?.state, 'cancelled');
      assert.equal(await raced.tasks(), 0);

      const moves = await b.db.manyOrNone<{ to_state: string }>('SELECT to_state FROM job_transitions WHERE job_id = $1 ORDER BY id', [plain.task.jobId]);
      assert.deepEqual(moves.map((m) => m.to_state), ['starting', 'running', 'succeeded']);
    } finally {
      await b.close();
    }
  });
}

test('without the queue in its database, the dispatch store offers no endRun', () => {
  assert.equal(createPgDispatchStore({} as Db).endRun, undefined);
});
