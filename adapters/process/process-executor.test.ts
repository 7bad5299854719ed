import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogRecord } from '../../core/log-record.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { makeTree, pidAlive } from '../../runner/test-support/run-cli.ts';
import { createProcessExecutor } from './process-executor.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
// The runner from source; tsx by absolute URL, since the runner starts in the job's work directory.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const runnerCommand = [process.execPath, '--import', tsx, join(repoRoot, 'cli', 'main.ts'), 'run'];

async function setup(files: Record<string, string>, overrides: Partial<ExecutionSpec> = {}, command: readonly string[] = runnerCommand) {
  const dir = await makeTree(files);
  const executor = createProcessExecutor({
    runnerCommand: command,
    workRoot: join(dir, '.work'),
    stopGraceMs: 3000,
    inheritEnv: { ...process.env, DATABASE_URL: 'postgres://dispatcher-only-secret@db/x' },
  });
  const spec: ExecutionSpec = {
    jobId: `job-${Math.random().toString(16).slice(2, 10)}`,
    source: { kind: 'directory', path: dir },
    env: {},
    secrets: {},
    resources: {},
    timeoutSeconds: 0,
    ...overrides,
  };
  const batches: (readonly LogRecord[])[] = [];
  const execution = executor.start(spec, { onRecords: async (records) => void batches.push(records) });
  const text = (): string => batches.flat().map((r) => r.text).join('');
  return { dir, spec, execution, batches, text, workRoot: join(dir, '.work') };
}

test('a job runs to success; its records arrive in order, in batches, with the phases', async () => {
  // Far more than a pipe buffer: the runner must not exit before its output has drained.
  const { execution, batches, text } = await setup({ 'reactorcide_job.sh': 'seq 1 20000 | sed "s/^/line /"\n' });
  const result = await execution.done;
  assert.equal(result.outcome, 'succeeded', `${result.reason}\n${text().slice(-2000)}`);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.phases.map((p) => p.phase), ['fetch_source', 'fetch_job_code', 'startup', 'environment', 'run', 'cleanup']);
  const lines = text().split('\n').filter((l) => l.startsWith('line '));
  assert.deepEqual(lines, Array.from({ length: 20000 }, (_, i) => `line ${i + 1}`));
  assert.ok(batches.length >= 1);
});

test("a run's work dir is gone once it ends, with what the job left in it", async () => {
  const { execution, spec, workRoot } = await setup({ 'reactorcide_job.sh': 'echo x > "$REACTORCIDE_WORK_DIR/left-behind"\n' });
  assert.equal((await execution.done).outcome, 'succeeded');
  assert.equal(existsSync(join(workRoot, spec.jobId)), false);
  assert.deepEqual(readdirSync(workRoot), []);
});

test('the work dir of a runner that died without ending the run is removed by the executor', async () => {
  // A stand-in runner that fills its work dir and dies.
  const dies = ['/bin/sh', '-c', 'mkdir -p "$REACTORCIDE_WORK_DIR/source" && echo x > "$REACTORCIDE_WORK_DIR/source/file" && kill -9 $$'];
  const { execution, spec, workRoot } = await setup({}, {}, dies);
  const result = await execution.done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /killed by SIGKILL without a summary/);
  assert.equal(existsSync(join(workRoot, spec.jobId)), false);
});

test('a record holding a Unicode line separator arrives whole, as the job printed it', async () => {
  const { execution, batches } = await setup({ 'reactorcide_job.sh': "printf 'before\\342\\200\\250after\\n'\n" });
  assert.equal((await execution.done).outcome, 'succeeded');
  const stdout = batches.flat().filter((r) => r.stream === 'stdout').map((r) => r.text).join('');
  assert.equal(stdout, 'before\u2028after\n');
});

test("the job's failure and exit code come through; the dispatcher's env does not reach the job", async () => {
  const { execution, text } = await setup({ 'reactorcide_job.sh': 'echo "db=${DATABASE_URL:-none} path=${PATH:+set}"; exit 4\n' });
  const result = await execution.done;
  assert.equal(result.outcome, 'failed');
  assert.equal(result.exitCode, 4);
  assert.match(text(), /db=none path=set/);
});

test('secrets reach the job as env vars and are masked in every record', async () => {
  const { execution, text } = await setup(
    { 'reactorcide_job.sh': 'echo "deploying with $DEPLOY_KEY"; echo "$DEPLOY_KEY" | base64 >&2\n' },
    { secrets: { DEPLOY_KEY: 'dk_live_5f3c9a7e21b4' } },
  );
  const result = await execution.done;
  assert.equal(result.outcome, 'succeeded');
  assert.match(text(), /deploying with \*\*\*DEPLOY_KEY\*\*\*/);
  assert.doesNotMatch(text(), /dk_live_5f3c9a7e21b4/);
  assert.doesNotMatch(text(), new RegExp(Buffer.from('dk_live_5f3c9a7e21b4').toString('base64').slice(0, 16)));
});

test('a run past its timeout is stopped, cleaned up and timed_out', async () => {
  // The clock starts when the runner is spawned: it is long enough for the runner (started through tsx,
  // on a loaded machine) to be running the job, so the stop reaches a runner that handles it.
  const { execution, text } = await setup({ 'reactorcide_job.sh': 'echo started; sleep 60\n' }, { timeoutSeconds: 5 });
  const result = await execution.done;
  assert.equal(result.outcome, 'timed_out', text());
  assert.match(text(), /started/, 'the job was running when the timeout stopped it');
  assert.equal(result.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
});

test('cancel stops the runner, which stops the job and runs cleanup', async () => {
  const { execution, batches, text } = await setup({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
  while (!text().includes('started')) {
    assert.equal(await Promise.race([execution.done.then(() => 'ended'), new Promise((r) => setTimeout(r, 20))]), undefined, text());
  }
  execution.cancel();
  const result = await execution.done;
  assert.equal(result.outcome, 'cancelled');
  assert.ok(batches.flat().some((r) => r.stream === 'system' && r.text.includes('stopping the job')));
});

test('an errored setup comes back as errored with the masked reason', async () => {
  const { execution } = await setup({}, { source: { kind: 'directory', path: '/nonexistent/source' } });
  const result = await execution.done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /^fetch_source: source directory \/nonexistent\/source does not exist/);
});

test('a job env var may not steer the runner', async () => {
  const { execution } = await setup({ 'reactorcide_job.sh': 'true\n' }, { env: { REACTORCIDE_COMMAND: '["sh","-c","echo pwned"]' } });
  const result = await execution.done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /REACTORCIDE_COMMAND is reserved/);
});

test('when the dispatcher dies by SIGKILL, its runner stops the job and runs cleanup', async () => {
  const dir = await makeTree({
    'reactorcide_job.sh': 'echo $$ > "$REACTORCIDE_WORK_DIR/../job.pid"; echo started; sleep 60\n',
    '.reactorcide/plugins/marker.mjs': `import { writeFileSync } from 'node:fs';
      export default { name: 'marker', cleanup(ctx) { writeFileSync(ctx.job.workDir + '/../cleaned', String(ctx.result?.outcome)); } };`,
  });
  // A stand-in dispatcher: starts the job through the executor, then waits to be killed.
  const script = `
    import { createProcessExecutor } from ${JSON.stringify(join(repoRoot, 'adapters/process/index.ts'))};
    const ex = createProcessExecutor({ runnerCommand: ${JSON.stringify(runnerCommand)}, workRoot: ${JSON.stringify(join(dir, '.work'))},
      stopGraceMs: 3000, inheritEnv: process.env });
    ex.start({ jobId: 'orphan', source: { kind: 'directory', path: ${JSON.stringify(dir)} }, env: {}, secrets: {}, resources: {}, timeoutSeconds: 0 },
      { onRecords: async (rs) => { if (rs.some((r) => r.text.includes('started'))) console.log('job started'); } });
  `;
  const dispatcher = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => dispatcher.stdout.on('data', (d: Buffer) => d.toString().includes('job started') && resolve()));
  const jobPid = Number(await readFile(join(dir, '.work', 'job.pid'), 'utf8'));
  assert.ok(pidAlive(jobPid));
  dispatcher.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  let cleaned: string | undefined;
  while (Date.now() < deadline && cleaned === undefined) {
    cleaned = await readFile(join(dir, '.work', 'cleaned'), 'utf8').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(cleaned, 'cancelled');
  assert.equal(pidAlive(jobPid), false);
});
