import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNNER_ERROR_EXIT_CODE } from '../../core/run-summary.ts';
import { makeTree, runCli } from '../test-support/run-cli.ts';

/** A plugin that appends "<name>:<hook>" to a trace file for every hook. */
const tracer = (name: string, extra = ''): string => `
import { appendFileSync } from 'node:fs';
const trace = (ctx, hook) => appendFileSync(ctx.job.workDir + '/../trace', '${name}:' + hook + '\\n');
export default {
  name: '${name}', ${extra}
  startup(ctx) { trace(ctx, 'startup'); },
  environment(ctx) { trace(ctx, 'environment'); },
  beforeRun(ctx) { trace(ctx, 'beforeRun'); },
  afterRun(ctx) { trace(ctx, 'afterRun:' + ctx.result.outcome); },
  cleanup(ctx) { trace(ctx, 'cleanup'); },
};
`;

async function traceOf(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'trace'), 'utf8')).trim().split('\n');
}

test('hooks run in plugin order, after-hooks and cleanup in reverse', async () => {
  const job = await makeTree({
    'reactorcide_job.sh': 'echo script >> "$REACTORCIDE_WORK_DIR/../trace"\n',
    '.reactorcide/plugins/b.mjs': tracer('b'),
    '.reactorcide/plugins/a.mjs': tracer('a', "after: ['b'],"),
    '.reactorcide/plugins/c/index.mjs': tracer('c'),
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', job, '--work-dir', join(job, 'work')]);
  assert.equal(r.code, 0, r.text);
  assert.deepEqual(await traceOf(job), [
    'b:startup', 'a:startup', 'c:startup',
    'b:environment', 'a:environment', 'c:environment',
    'b:beforeRun', 'a:beforeRun', 'c:beforeRun',
    'script',
    'c:afterRun:succeeded', 'a:afterRun:succeeded', 'b:afterRun:succeeded',
    'c:cleanup', 'a:cleanup', 'b:cleanup',
  ]);
  // a must follow b; among what is free to run, names decide.
  assert.match(r.text, /plugins: b, a, c, ci-env/);
});

test('env set by a plugin reaches later phases and the script; a TypeScript plugin needs no build', async () => {
  const job = await makeTree({
    'reactorcide_job.sh': 'echo "script sees FIRST=$FIRST SECOND=$SECOND"\n',
    '.reactorcide/plugins/first.ts': `
      import type { PluginContext } from '../../plugin-types.ts';
      const value: string = 'one';
      export default { name: 'first', startup(ctx: PluginContext) { ctx.env.set('FIRST', value); } };`,
    'plugin-types.ts': 'export type PluginContext = { env: { set(n: string, v: string): void; get(n: string): string | undefined } };\n',
    '.reactorcide/plugins/second.mjs': `
      export default { name: 'second', environment(ctx) { ctx.env.set('SECOND', 'saw ' + ctx.env.get('FIRST')); } };`,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', job]);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /script sees FIRST=one SECOND=saw one/);
});

test('a failing startup hook is errored, skips the script, and every cleanup hook still runs', async () => {
  const job = await makeTree({
    'reactorcide_job.sh': 'echo script >> "$REACTORCIDE_WORK_DIR/../trace"\n',
    '.reactorcide/plugins/a.mjs': tracer('a'),
    '.reactorcide/plugins/b.mjs': `export default { name: 'b', startup() { throw new Error('cannot prepare the assets'); },
      cleanup() { throw new Error('cleanup of b broke'); } };`,
    '.reactorcide/plugins/c.mjs': tracer('c'),
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', job, '--work-dir', join(job, 'work')]);
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.equal(r.summary?.outcome, 'errored');
  // Order a, b, c, ci-env: a's startup ran, b's failed, so c's never ran; cleanup runs for all, in reverse.
  assert.equal(r.summary?.error?.phase, 'startup');
  assert.match(r.summary?.error?.message ?? '', /plugin b startup hook failed: cannot prepare the assets/);
  assert.deepEqual(await traceOf(job), ['a:startup', 'c:cleanup', 'a:cleanup']);
  assert.match(r.text, /plugin b cleanup hook failed: cleanup of b broke/);
  assert.equal(r.summary?.phases.find((p) => p.phase === 'cleanup')?.outcome, 'errored');
});

test('a plugin order cycle is a clear error before any hook runs', async () => {
  const job = await makeTree({
    'reactorcide_job.sh': 'echo script\n',
    '.reactorcide/plugins/a.mjs': tracer('a', "after: ['b'],"),
    '.reactorcide/plugins/b.mjs': tracer('b', "after: ['a'],"),
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', job, '--work-dir', join(job, 'work')]);
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.match(r.summary?.error?.message ?? '', /cycle among: a, b/);
  await assert.rejects(readFile(join(job, 'trace')), /ENOENT/);
});

test('plugins in the source are ignored when the job code is separate; the plugin dir is loaded', async () => {
  const src = await makeTree({ '.reactorcide/plugins/evil.mjs': "export default { name: 'evil', startup() { console.log('EVIL PLUGIN RAN'); } };" });
  const job = await makeTree({ 'reactorcide_job.sh': 'echo "job ran, EXTRA=$EXTRA"\n' });
  const extra = await makeTree({ 'extra.mjs': "export default { name: 'extra', environment(ctx) { ctx.env.set('EXTRA', 'yes'); } };" });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src, '--job', job, '--plugin-dir', extra]);
  assert.equal(r.code, 0, r.text);
  assert.doesNotMatch(r.text, /EVIL/);
  assert.match(r.text, /job ran, EXTRA=yes/);
});

test("a plugin's console output goes through the pipeline: masked, recorded, NDJSON intact", async () => {
  const job = await makeTree({
    'reactorcide_job.sh': 'true\n',
    '.reactorcide/plugins/noisy.mjs': `export default { name: 'noisy',
      startup(ctx) { console.log('plugin says ' + process.env.DEPLOY_TOKEN); ctx.mask('registered-by-plugin-123'); },
      environment() { console.error('and also registered-by-plugin-123'); } };`,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', job], { env: { DEPLOY_TOKEN: 'tok-0123456789abcdef' } });
  assert.equal(r.code, 0, r.stdout);
  assert.doesNotMatch(r.stdout, /tok-0123456789abcdef|registered-by-plugin-123/);
  const said = r.records.find((rec) => rec.text.includes('plugin says'));
  assert.equal(said?.phase, 'startup');
  assert.equal(said?.stream, 'stdout');
  assert.match(r.textOf('stdout'), /plugin says \*\*\*DEPLOY_TOKEN\*\*\*/);
  assert.ok(r.records.some((rec) => rec.stream === 'stderr' && rec.phase === 'environment' && rec.text.includes('***MASKED***')));
});
