import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgJobStore } from './job-store.ts';
import { sampleSpec } from './test-support/store-contract.ts';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

/** How many transactions wrote these jobs: rows written by one statement share their xmin. */
async function transactionsOf(ids: readonly string[]): Promise<number> {
  const row = await t.db.one<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM jobs WHERE id IN ($1:csv)', [ids]);
  return row.n;
}

async function outboxCount(ids: readonly string[]): Promise<number> {
  const row = await t.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM job_outbox WHERE kind = 'enqueue' AND job_id IN ($1:csv)`, [ids]);
  return row.n;
}

for (const prepared of [true, false]) {
  test(`concurrent submits share statements, each job with its own outbox entry and answer (prepared: ${prepared})`, async () => {
    const jobs = createPgJobStore(t.db, { prepared, insertBatch: { maxInFlight: 1, maxBatch: 8 } });
    const specs = Array.from({ length: 20 }, (_, i) => sampleSpec({ name: `batch-${i}`, labels: { i: String(i) }, priority: i }));
    const results = await Promise.all(specs.map((spec) => jobs.submit({ spec, submittedBy: null })));
    const ids = results.map((r) => r.job.id);
    assert.equal(new Set(ids).size, 20);
    results.forEach((r, i) => {
      assert.equal(r.replayed, false);
      assert.equal(r.job.name, `batch-${i}`);
      assert.deepEqual(r.job.labels, { i: String(i) });
      assert.equal(r.job.priority, i);
      assert.equal(r.job.state, 'queued');
    });
    for (const r of results) assert.deepEqual(await jobs.get(r.job.id), r.job);
    assert.equal(await outboxCount(ids), 20);
    // The first went alone; the other 19 waited and went in batches of at most 8.
    const txs = await transactionsOf(ids);
    assert.ok(txs >= 4 && txs < 20, `expected batches, got ${txs} transactions for 20 jobs`);
  });
}

test('one bad job in a batch fails alone; the others of its batch are written', async () => {
  const jobs = createPgJobStore(t.db, { prepared: true, insertBatch: { maxInFlight: 1, maxBatch: 64 } });
  const missingParent = '00000000-0000-4000-8000-00000000dead';
  const settled = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) =>
      jobs.submit({ spec: sampleSpec({ name: `mixed-${i}` }), submittedBy: null, parentId: i === 3 ? missingParent : null }),
    ),
  );
  assert.equal(settled[3]?.status, 'rejected');
  const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.job] : []));
  assert.deepEqual(
    ok.map((j) => j.name),
    ['mixed-0', 'mixed-1', 'mixed-2', 'mixed-4', 'mixed-5'],
  );
  assert.equal(await outboxCount(ok.map((j) => j.id)), 5);
  const written = await t.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE name LIKE 'mixed-%'`);
  assert.equal(written.n, 5);
});

test('with batching off every submit is its own statement', async () => {
  const jobs = createPgJobStore(t.db, { prepared: true, insertBatch: false });
  const results = await Promise.all(Array.from({ length: 6 }, () => jobs.submit({ spec: sampleSpec(), submittedBy: null })));
  assert.equal(await transactionsOf(results.map((r) => r.job.id)), 6);
});

test('concurrent reads by id share statements: each gets its row, a missing id null, a malformed id its own error', async () => {
  const writer = createPgJobStore(t.db, { prepared: true, insertBatch: false });
  const made = await Promise.all(Array.from({ length: 5 }, (_, i) => writer.submit({ spec: sampleSpec({ name: `read-${i}` }), submittedBy: null })));
  const jobs = createPgJobStore(t.db, { prepared: true, readBatch: { maxInFlight: 1, maxBatch: 64 } });
  const ids = made.map((m) => m.job.id);
  const asked = [ids[0], ...ids, (ids[2] ?? '').toUpperCase(), '00000000-0000-4000-8000-00000000beef', ids[4], 'not-a-uuid'] as string[];
  const settled = await Promise.allSettled(asked.map((id) => jobs.get(id)));
  const names = settled.map((s) => (s.status === 'fulfilled' ? (s.value?.name ?? null) : 'rejected'));
  assert.deepEqual(names, ['read-0', 'read-0', 'read-1', 'read-2', 'read-3', 'read-4', 'read-2', null, 'read-4', 'rejected']);
  for (const [i, s] of settled.entries()) if (s.status === 'fulfilled' && s.value !== null) assert.deepEqual(s.value, made.find((m) => m.job.id === s.value?.id)?.job, `item ${i}`);
});
