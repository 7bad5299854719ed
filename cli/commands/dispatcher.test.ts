import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { sampleSpec } from '../../adapters/postgres/test-support/store-contract.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';

const cliMain = join(new URL('../../', import.meta.url).pathname, 'cli', 'main.ts');

test('`reactorcide dispatcher` runs submitted jobs from the shared database and stops on SIGTERM', async () => {
  const database = await createTestDatabase();
  const dispatcher = spawn(process.execPath, ['--import', 'tsx', cliMain, 'dispatcher'], {
    env: { ...process.env, DATABASE_URL: database.url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  dispatcher.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    const jobs = createPgJobStore(database.db);
    const src = await makeTree({ 'reactorcide_job.sh': 'echo from the dispatcher pod\n' });
    const { job } = await jobs.submit({ spec: sampleSpec({ source: { kind: 'directory', path: src } }), submittedBy: null });
    const deadline = Date.now() + 30_000;
    let current = await jobs.get(job.id);
    while (current?.state !== 'succeeded') {
      assert.ok(Date.now() < deadline, `job is ${current?.state}: ${current?.errorReason}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
      current = await jobs.get(job.id);
    }
    dispatcher.kill('SIGTERM');
    const code = await new Promise((r) => dispatcher.once('exit', r));
    assert.equal(code, 0, stderr);
  } finally {
    dispatcher.kill('SIGKILL');
    await database.drop();
  }
});

test('`reactorcide dispatcher` without DATABASE_URL is a usage error that says why', async () => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'dispatcher'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 2);
  assert.match(stderr, /DATABASE_URL is required/);
});
