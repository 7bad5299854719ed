/**
 * A dispatcher stopped gracefully (SIGTERM) with local runs in flight: a local run cannot outlive
 * its dispatcher, so it is stopped (cleanup runs) and its attempt ends `errored` — the system's
 * doing, never a `cancelled` nobody asked for — and a job that allows retries runs its next
 * attempt on the next dispatcher. Real Postgres, the process executor, the real runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher } from '../compose/start-dispatcher.ts';
import { JobSpecSchema } from '../schemas/job-spec-schema.ts';

test('a graceful stop ends local runs errored (retried when the job allows), never cancelled', async () => {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-graceful-'));
  const start = () => startConfiguredDispatcher(parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5' }, dataDir), database.db, { embedded: false, logger: silentLogger, env: process.env });
  const jobs = createPgJobStore(database.db);
  const logs = createPgLogStore(database.db);
  const text = async (id: string): Promise<string> => (await logs.read(id, 0, 10_000)).records.map((r) => r.text).join('');
  try {
    const mark = join(mkdtempSync(join(tmpdir(), 'rc-graceful-mark-')), 'ran');
    const src = await makeTree({ 'reactorcide_job.sh': 'if [ -f "$MARK" ]; then echo "second attempt"; exit 0; fi\ntouch "$MARK"; echo started; sleep 60\n' });
    const submit = async (retry: boolean): Promise<Job> =>
      (await jobs.submit({ spec: JobSpecSchema.parse({ source: { kind: 'directory', path: src }, env: { MARK: `${mark}-${retry}` }, ...(retry ? { retry: { maxAttempts: 2, backoffSeconds: 0 } } : {}) }), submittedBy: null })).job;
    const plain = await submit(false);
    const retrying = await submit(true);

    const first = await start();
    const deadline = Date.now() + 30_000;
    for (const job of [plain, retrying]) {
      while (!(await text(job.id)).includes('started')) {
        assert.ok(Date.now() < deadline, 'the jobs never started');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await first.stop();

    const stopped = await jobs.get(plain.id);
    assert.equal(stopped?.state, 'errored');
    assert.match(stopped?.errorReason ?? '', /dispatcher running this job was stopped/);
    assert.equal(stopped?.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded', 'cleanup ran');
    const waiting = await jobs.get(retrying.id);
    assert.deepEqual([waiting?.state, waiting?.attempt], ['queued', 2]);

    const second = await start();
    try {
      for (;;) {
        const current = await jobs.get(retrying.id);
        if (current && isTerminal(current.state)) {
          assert.equal(current.state, 'succeeded', current.errorReason ?? '');
          assert.deepEqual(current.previousAttempts.map((a) => a.state), ['errored']);
          break;
        }
        assert.ok(Date.now() < deadline, `still ${current?.state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(await text(retrying.id), /started[\s\S]*attempt 1 of 2 errored[\s\S]*second attempt/);
    } finally {
      await second.stop();
    }
  } finally {
    await database.drop();
  }
});
