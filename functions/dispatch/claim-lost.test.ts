/**
 * A dispatcher that loses the claim of a job it runs (its lease was taken over: it was cut off
 * past it) lets go of the run rather than record its end: the run is stopped (a local process
 * cannot be handed over), and the dispatcher that claimed the task records the attempt as lost —
 * retrying it when the job asks, with the old run already gone. Real Postgres, the process
 * executor, the real runner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { silentLogger } from '../deps.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { JobSpecSchema } from '../schemas/job-spec-schema.ts';

let database: TestDatabase;
let dispatcher: StartedDispatcher;
before(async () => {
  database = await createTestDatabase();
  const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '2' }, mkdtempSync(join(tmpdir(), 'rc-claim-lost-')));
  dispatcher = await startConfiguredDispatcher(config, database.db, { embedded: false, logger: silentLogger, env: process.env });
});
after(async () => {
  await dispatcher.stop();
  await database.drop();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a run whose claim is taken over is stopped, not recorded; the new claimant records the lost attempt and retries it', async () => {
  const jobs = createPgJobStore(database.db);
  const logs = createPgLogStore(database.db);
  const dir = mkdtempSync(join(tmpdir(), 'rc-claim-lost-pids-'));
  const src = await makeTree({
    'reactorcide_job.sh': 'if [ -f "$PIDS/1" ]; then echo $$ > "$PIDS/2"; echo "attempt two"; exit 0; fi\necho $$ > "$PIDS/1"; echo started; sleep 60\n',
  });
  const spec = JobSpecSchema.parse({ source: { kind: 'directory', path: src }, env: { PIDS: dir }, retry: { maxAttempts: 2, backoffSeconds: 0 } });
  const { job } = await jobs.submit({ spec, submittedBy: null });
  const text = async (): Promise<string> => (await logs.read(job.id, 0, 10_000)).records.map((r) => r.text).join('');
  await until('attempt 1 to print', async () => ((await text()).includes('started') ? true : undefined));
  const firstPid = Number(readFileSync(join(dir, '1'), 'utf8'));

  // Another dispatcher's claim, as after a reclaim: the lease this dispatcher holds is no longer its.
  await database.db.none("UPDATE task_queue SET lease_expires_at = date_trunc('milliseconds', clock_timestamp() - interval '1 second') WHERE job_id = $1", [job.id]);

  const end: Job = await until('the job to end', async () => {
    const current = await jobs.get(job.id);
    return current && isTerminal(current.state) ? current : undefined;
  });
  assert.equal(end.state, 'succeeded', `${end.errorReason}\n${await text()}`);
  assert.equal(end.attempt, 2);
  assert.deepEqual(end.previousAttempts.map((a) => a.state), ['errored']);
  assert.match(end.previousAttempts[0]?.errorReason ?? '', /dispatcher running this job stopped/);
  assert.equal(alive(firstPid), false, 'attempt 1 was stopped');
  assert.doesNotMatch(await text(), /attempt 1 of 2 cancelled/, 'the run that let go recorded nothing');
});
