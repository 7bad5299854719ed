import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTree, pidAlive, startCli } from '../test-support/run-cli.ts';

/** A plugin that records how the run ended, from its cleanup hook. */
const markerPlugin = `import { writeFileSync } from 'node:fs';
export default { name: 'marker', cleanup(ctx) { writeFileSync(ctx.job.workDir + '/../cleaned', String(ctx.result?.outcome)); } };`;

test('SIGTERM stops the job and every process it started, runs cleanup, and exits 143 as cancelled', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': [
      '(sleep 300; echo grandchild-survived) &',
      'echo $! > "$REACTORCIDE_WORK_DIR/../grandchild.pid"',
      'echo ready',
      'sleep 300',
    ].join('\n'),
    '.reactorcide/plugins/marker.mjs': markerPlugin,
  });
  const run = startCli(['run', '--format', 'ndjson', '--source', src, '--work-dir', join(src, 'work')]);
  await run.waitFor('ready');
  const grandchild = Number(await readFile(join(src, 'grandchild.pid'), 'utf8'));
  assert.ok(pidAlive(grandchild));
  run.child.kill('SIGTERM');
  const r = await run.result;
  assert.equal(r.code, 143);
  assert.equal(r.summary?.outcome, 'cancelled');
  assert.equal(r.summary?.phases.find((p) => p.phase === 'run')?.outcome, 'cancelled');
  assert.equal(r.summary?.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
  assert.equal(await readFile(join(src, 'cleaned'), 'utf8'), 'cancelled');
  assert.equal(pidAlive(grandchild), false, 'grandchild must not outlive the job');
  assert.doesNotMatch(r.text, /grandchild-survived/);
});

test('a job that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': "trap 'echo got-term' TERM\necho ready\nwhile true; do sleep 0.05; done\n",
    '.reactorcide/plugins/marker.mjs': markerPlugin,
  });
  const run = startCli(['run', '--format', 'ndjson', '--source', src, '--work-dir', join(src, 'work')], {
    env: { REACTORCIDE_KILL_GRACE_SECONDS: '0.5' },
  });
  await run.waitFor('ready');
  run.child.kill('SIGTERM');
  const r = await run.result;
  assert.equal(r.code, 143);
  assert.match(r.text, /got-term/);
  assert.equal(r.summary?.scriptSignal, 'SIGKILL');
  assert.equal(await readFile(join(src, 'cleaned'), 'utf8'), 'cancelled');
});

test('SIGTERM during a long startup hook skips the script and still cleans up', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': 'echo script-ran\n',
    '.reactorcide/plugins/slow.mjs': `export default { name: 'slow', startup(ctx) { console.log('ready');
      return new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)); } };`,
    '.reactorcide/plugins/marker.mjs': markerPlugin,
  });
  const run = startCli(['run', '--format', 'ndjson', '--source', src, '--work-dir', join(src, 'work')]);
  await run.waitFor('ready');
  run.child.kill('SIGINT');
  const r = await run.result;
  assert.equal(r.code, 130);
  assert.equal(r.summary?.outcome, 'cancelled');
  assert.doesNotMatch(r.text, /script-ran/);
  assert.deepEqual(
    r.summary?.phases.map((p) => p.outcome),
    ['succeeded', 'skipped', 'cancelled', 'skipped', 'skipped', 'succeeded'],
  );
  assert.equal(await readFile(join(src, 'cleaned'), 'utf8'), 'undefined');
});
