/**
 * One reconcile pass on real Postgres, as a scheduler would call it with no dispatcher running:
 * the outbox reaches the queue, a lease that ran out is claimable again, and a part that fails
 * is reported while the others still run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { createPgDispatchStore } from '../../adapters/postgres/dispatch-store.ts';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { sampleSpec } from '../../adapters/postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createPgTaskQueue } from '../../adapters/pgqueue/index.ts';
import { createProcessExecutor } from '../../adapters/process/index.ts';
import { silentLogger } from '../deps.ts';
import { reconcile } from './reconcile.ts';
import type { RunDeps } from './run-claimed-job.ts';

test('reconcile relays the outbox, reclaims a lease that ran out, and reports a failing part without stopping', async () => {
  const database = await createTestDatabase();
  const queue = createPgTaskQueue({ db: database.db, wake: 'in-process' });
  await queue.start();
  try {
    const jobs = createPgJobStore(database.db);
    const deps: RunDeps = {
      jobs,
      logs: createPgLogStore(database.db),
      dispatch: createPgDispatchStore(database.db),
      queue,
      executor: createProcessExecutor({ runnerCommand: ['true'], workRoot: tmpdir(), stopGraceMs: 1_000, inheritEnv: {} }),
      logger: silentLogger,
    };
    const submitted = await Promise.all([1, 2, 3].map(() => jobs.submit({ spec: sampleSpec(), submittedBy: null })));

    const first = await reconcile(deps, { queues: ['default'] });
    assert.equal(first.relayed, 3);
    assert.deepEqual(first.errors, []);
    assert.equal((await reconcile(deps, { queues: ['default'] })).relayed, 0, 'a second pass finds nothing more to relay');

    // A dispatcher claims a task and dies: past its lease, a pass makes the task claimable again.
    const claimed = await queue.claim('default', 2);
    assert.ok(claimed && submitted.some((s) => s.job.id === claimed.jobId));
    const later = new Date(Date.now() + 5_000);
    const second = await reconcile(deps, { queues: ['default'], now: later });
    assert.equal(second.reclaimed, 1);

    // The queue's reclaim fails: reported by name, and the relay part still ran.
    await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const failing = { ...deps, queue: { ...queue, reclaimExpired: () => Promise.reject(new Error('queue unreachable')) } };
    const third = await reconcile(failing, { queues: ['default'] });
    assert.equal(third.relayed, 1);
    assert.deepEqual(third.errors, [{ part: 'reclaim', message: 'queue unreachable' }]);
  } finally {
    await queue.close();
    await database.drop();
  }
});
