/**
 * The last line of the concurrency limit: two jobs of a group of 1 made claimable at once (as if
 * something other than admission had queued both) still run one after the other — the database
 * refuses the second start, and the dispatcher gives its task back until the slot is free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { sampleSpec } from '../../adapters/postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher } from '../compose/start-dispatcher.ts';

test('a start the group has no slot for is refused and its task given back until the slot frees', async () => {
  const t = await createTestDatabase();
  try {
    const jobs = createPgJobStore(t.db);
    const src = await makeTree({ 'reactorcide_job.sh': 'sleep 0.5\n' });
    const spec = sampleSpec({ source: { kind: 'directory', path: src }, concurrency: { group: 'g', limit: 1, policy: 'queue' } });
    const first = (await jobs.submit({ spec, submittedBy: null })).job;
    const second = (await jobs.submit({ spec, submittedBy: null })).job;
    assert.equal(second.state, 'waiting');
    // Bypass admission: both are queued, and the relay will enqueue both claimable.
    await t.db.none(`UPDATE jobs SET state = 'queued' WHERE id = $1`, [second.id]);

    const dispatcher = await startConfiguredDispatcher(parseDispatcherConfig({}, mkdtempSync(join(tmpdir(), 'rc-slot-'))), t.db, {
      embedded: false,
      logger: silentLogger,
      env: process.env,
    });
    try {
      const deadline = Date.now() + 30_000;
      const ended = async (id: string) => {
        for (;;) {
          const job = await jobs.get(id);
          if (job && ['succeeded', 'failed', 'cancelled', 'timed_out', 'errored'].includes(job.state)) return job;
          assert.ok(Date.now() < deadline, `job still ${job?.state}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const [a, b] = [await ended(first.id), await ended(second.id)];
      assert.equal(a.state, 'succeeded', a.errorReason ?? '');
      assert.equal(b.state, 'succeeded', b.errorReason ?? '');
      const [earlier, later] = Date.parse(a.startedAt ?? '') < Date.parse(b.startedAt ?? '') ? [a, b] : [b, a];
      assert.ok(Date.parse(later.startedAt ?? '') >= Date.parse(earlier.finishedAt ?? ''), 'the two runs overlapped');
    } finally {
      await dispatcher.stop();
    }
  } finally {
    await t.drop();
  }
});
