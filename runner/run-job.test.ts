import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { phases } from '../core/phases.ts';
import { RUNNER_ERROR_EXIT_CODE } from '../core/run-summary.ts';
import { makeTree, pidAlive, runCli } from './test-support/run-cli.ts';

const ndjson = ['run', '--format', 'ndjson'];

test('a job runs through the six phases in order and its records say which phase printed them', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo "hello from $REACTORCIDE_PHASE in $(pwd)"\n' });
  const r = await runCli([...ndjson, '--source', src]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.summary?.outcome, 'succeeded');
  assert.deepEqual(r.summary?.phases.map((p) => p.phase), [...phases]);
  for (const p of r.summary?.phases ?? []) {
    assert.ok(p.durationMs >= 0 && Date.parse(p.finishedAt) >= Date.parse(p.startedAt), `${p.phase} timing`);
  }
  const hello = r.records.find((rec) => rec.text.includes('hello from'));
  assert.equal(hello?.stream, 'stdout');
  assert.equal(hello?.phase, 'run');
  assert.match(hello?.text ?? '', new RegExp(`hello from run in ${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Records appear in phase order.
  const order = [...new Set(r.records.map((rec) => rec.phase))];
  assert.deepEqual(order, [...phases]);
});

test("the job's own exit code passes through as the runner's, as failed", async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo failing >&2; exit 3\n' });
  const r = await runCli([...ndjson, '--source', src]);
  assert.equal(r.code, 3);
  assert.equal(r.summary?.outcome, 'failed');
  assert.equal(r.summary?.scriptExitCode, 3);
  assert.equal(r.summary?.error, undefined);
  assert.equal(r.summary?.phases.find((p) => p.phase === 'run')?.outcome, 'failed');
  assert.equal(r.summary?.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
  assert.ok(r.records.some((rec) => rec.stream === 'stderr' && rec.text.includes('failing')));
});

test('a job killed by a signal fails with 128 + the signal number', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'kill -KILL $$\n' });
  const r = await runCli([...ndjson, '--source', src]);
  assert.equal(r.code, 137);
  assert.equal(r.summary?.outcome, 'failed');
  assert.equal(r.summary?.scriptSignal, 'SIGKILL');
});

test('a missing job script is errored, in the run phase, with the reserved exit code', async () => {
  const src = await makeTree({ 'README.md': 'nothing to run\n' });
  const r = await runCli([...ndjson, '--source', src]);
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.equal(r.summary?.outcome, 'errored');
  assert.equal(r.summary?.error?.phase, 'run');
  assert.match(r.summary?.error?.message ?? '', /no job script/);
  assert.equal(r.summary?.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
});

test('a missing source directory is errored in fetch_source and skips everything but cleanup', async () => {
  const r = await runCli([...ndjson, '--source', '/nonexistent/reactorcide-test']);
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.equal(r.summary?.error?.phase, 'fetch_source');
  assert.deepEqual(
    r.summary?.phases.map((p) => [p.phase, p.outcome]),
    [
      ['fetch_source', 'errored'],
      ['fetch_job_code', 'skipped'],
      ['startup', 'skipped'],
      ['environment', 'skipped'],
      ['run', 'skipped'],
      ['cleanup', 'succeeded'],
    ],
  );
});

test('the first found of .ts .mjs .js .sh .py wins, and an explicit command overrides it', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': 'echo from-sh\n',
    'reactorcide_job.py': 'print("from-py")\n',
    'reactorcide_job.mjs': 'console.log("from-mjs")\n',
  });
  const r = await runCli([...ndjson, '--source', src]);
  assert.match(r.text, /from-mjs/);
  assert.doesNotMatch(r.text, /from-sh|from-py/);
  const explicit = await runCli([...ndjson, '--source', src, '--', 'sh', '-c', 'echo explicit $0', 'arg']);
  assert.match(explicit.text, /explicit arg/);
  assert.doesNotMatch(explicit.text, /from-mjs/);
});

test('an executable reactorcide_job with no extension runs with its own shebang', async () => {
  const src = await makeTree({ reactorcide_job: '#!/bin/sh\necho bare-executable\n' });
  const r = await runCli([...ndjson, '--source', src]);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /bare-executable/);
});

test('separate job code runs against the source, and the source cannot swap the job script', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo EVIL from the source\n', 'data.txt': 'source data\n' });
  const job = await makeTree({ 'reactorcide_job.sh': 'echo "job sees: $(cat data.txt)"; echo "job dir: $REACTORCIDE_JOB_DIR"\n' });
  const r = await runCli([...ndjson, '--source', src, '--job', job]);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /job sees: source data/);
  assert.doesNotMatch(r.text, /EVIL/);
});

test('--env reaches the job, and runner control variables do not', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo "GREETING=$GREETING CMD=${REACTORCIDE_COMMAND:-unset} ID=$REACTORCIDE_JOB_ID CI=$CI"\n' });
  const r = await runCli([...ndjson, '--source', src, '--env', 'GREETING=a=b c', '--job-id', 'job-42']);
  assert.match(r.text, /GREETING=a=b c CMD=unset ID=job-42 CI=true/);
});

test('leftover background processes are stopped when the script exits', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'sleep 300 &\necho $! > "$REACTORCIDE_WORK_DIR/../bg.pid"\necho started\n' });
  const work = join(src, 'work');
  const r = await runCli([...ndjson, '--source', src, '--work-dir', work, '--env', 'X=1']);
  assert.equal(r.code, 0, r.text);
  const pid = Number(await readFile(join(src, 'bg.pid'), 'utf8'));
  assert.equal(pidAlive(pid), false);
});

test('text output keeps the job stdout on stdout and the runner voice on stderr', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo to-stdout; echo to-stderr >&2\n' });
  const r = await runCli(['run', '--source', src]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'to-stdout\n');
  assert.match(r.stderr, /to-stderr/);
  assert.match(r.stderr, /--- fetch_source/);
  assert.match(r.stderr, /--- summary/);
  assert.match(r.stderr, /job succeeded \(exit 0\)/);
});

test('bad settings fail before anything runs, naming the setting', async () => {
  const r = await runCli(['run'], { env: { REACTORCIDE_LOG_FORMAT: 'xml' } });
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.match(r.stderr, /REACTORCIDE_LOG_FORMAT must be "text" or "ndjson"/);
  const flag = await runCli(['run', '--format', 'xml']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--format/);
});

test('--help explains the command', async () => {
  const r = await runCli(['run', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /reactorcide_job\.\{ts,mjs,js,sh,py\}/);
  assert.match(r.stdout, /--secret <NAME>/);
});
