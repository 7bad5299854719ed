import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { sampleSpec } from '../../adapters/postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { wakeOnOutboxWrites } from './wake-on-outbox-writes.ts';

test('a new submit and a cancel wake the relay; a replayed submit writes no outbox row and does not', async () => {
  const database = await createTestDatabase();
  try {
    let wakes = 0;
    const jobs = wakeOnOutboxWrites(createPgJobStore(database.db), () => wakes++);
    const idempotency = { scope: 'tok', key: 'k-1', requestHash: 'h1' };
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency });
    assert.equal(wakes, 1);
    const again = await jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency });
    assert.equal(again.replayed, true);
    assert.equal(wakes, 1);
    await jobs.requestCancel(job.id);
    assert.equal(wakes, 2);
    // Everything else is the store's own.
    assert.equal((await jobs.get(job.id))?.id, job.id);
  } finally {
    await database.drop();
  }
});

test('with submits enqueueing inline, only a submit that may write outbox rows (dependencies, a concurrency group) wakes the relay', async () => {
  const database = await createTestDatabase();
  try {
    let wakes = 0;
    const jobs = wakeOnOutboxWrites(createPgJobStore(database.db), () => wakes++, { inlineEnqueue: true });
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    assert.equal(wakes, 0);
    await jobs.submit({ spec: sampleSpec({ dependsOn: [{ jobId: job.id, states: ['succeeded'] }] }), submittedBy: null });
    assert.equal(wakes, 1);
    await jobs.submit({ spec: sampleSpec({ concurrency: { group: 'g', limit: 1, policy: 'supersede' } }), submittedBy: null });
    assert.equal(wakes, 2);
    await jobs.requestCancel(job.id);
    assert.equal(wakes, 3);
  } finally {
    await database.drop();
  }
});
