import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { makeTree, startCli } from '../test-support/run-cli.ts';

const floodBytes = 40_000_000;

/** Runs a job printing `floodBytes` while its reader stops reading for `stallMs`; returns the runner's peak RSS. */
async function peakRssMb(source: string, stallMs: number): Promise<number> {
  const run = startCli(['run', '--format', 'ndjson', '--source', source]);
  if (stallMs > 0) {
    run.child.stdout?.pause();
    await new Promise((r) => setTimeout(r, stallMs));
    run.child.stdout?.resume();
  }
  const r = await run.result;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.textOf('stdout').length, floodBytes + 'flood-done\n'.length);
  return (r.summary?.runnerMaxRssKb ?? Infinity) / 1024;
}

test('a job that floods a slow reader is held back by its own pipe, not buffered by the runner', async (t) => {
  const src = await makeTree({ 'reactorcide_job.sh': `yes 'x' | head -c ${floodBytes}\necho flood-done\n` });
  // The same flood read at full speed is the baseline: processing 40 MB churns memory anyway, and
  // its peak varies by up to ~17 MB from run to run (garbage not yet collected). Without
  // backpressure a stalled reader makes the runner hold the whole flood: 40 MB and more on top.
  const fast = await peakRssMb(src, 0);
  const stalled = await peakRssMb(src, 2500);
  t.diagnostic(`runner peak RSS: ${fast.toFixed(0)} MB read at once, ${stalled.toFixed(0)} MB with a stalled reader`);
  assert.ok(stalled < fast + 25, `stalled reader: ${stalled.toFixed(0)} MB against ${fast.toFixed(0)} MB`);
});

test('a runner whose reader goes away while backed up still finishes the job and exits', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': `yes 'x' | head -c ${floodBytes}\necho flood-done > "$REACTORCIDE_WORK_DIR/../done"\n`,
  });
  const run = startCli(['run', '--format', 'ndjson', '--source', src, '--work-dir', `${src}/work`]);
  run.child.stdout?.pause();
  await new Promise((r) => setTimeout(r, 1000));
  run.child.stdout?.destroy(); // the reader is gone: every later write fails with EPIPE
  const exited = await Promise.race([
    new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code))),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000)),
  ]);
  run.child.kill('SIGKILL');
  assert.notEqual(exited, 'hung', 'the runner hung on a reader that went away');
  assert.equal(readFileSync(`${src}/done`, 'utf8'), 'flood-done\n');
});
