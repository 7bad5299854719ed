import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree, runCli } from '../test-support/run-cli.ts';

test('a .ts job script runs with no build step and reads the run through reactorcide/job', async () => {
  const src = await makeTree({
    'reactorcide_job.ts': `
      import { job } from 'reactorcide/job';
      interface Seen { id: string; phase: string; cwdIsSource: boolean }
      const seen: Seen = { id: job.id, phase: job.phase, cwdIsSource: process.cwd() === job.sourceDir };
      console.log(JSON.stringify(seen), 'node', process.version);
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src, '--job-id', 'ts-job-1']);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /\{"id":"ts-job-1","phase":"run","cwdIsSource":true\} node v\d+/);
});

test('mask() in the job script masks the value on stdout and stderr from the next line on', async () => {
  const src = await makeTree({
    'reactorcide_job.mjs': `
      import { mask } from 'reactorcide/job';
      const fetched = 'runtime-secret-' + (40 + 2) + '-value';
      mask(fetched, 'FETCHED_KEY');
      process.stderr.write('stderr: ' + fetched + '\\n');
      console.log('stdout: ' + fetched);
      console.log('base64: ' + Buffer.from(fetched).toString('base64'));
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src]);
  assert.equal(r.code, 0, r.text);
  assert.doesNotMatch(r.stdout, /runtime-secret-42-value/);
  assert.doesNotMatch(r.text, new RegExp(Buffer.from('runtime-secret-42-value').toString('base64').slice(0, 20)));
  assert.match(r.textOf('stderr'), /stderr: \*\*\*FETCHED_KEY\*\*\*/);
  assert.match(r.textOf('stdout'), /stdout: \*\*\*FETCHED_KEY\*\*\*/);
});

test('a grandchild process masks through the ::add-mask:: line, which is never shown', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': `
      sh -c 'printf "::add-mask::grand-secret-value\\n"'
      echo "later: grand-secret-value"
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src]);
  assert.equal(r.code, 0, r.text);
  assert.doesNotMatch(r.stdout, /grand-secret-value/);
  assert.doesNotMatch(r.stdout, /add-mask/);
  assert.match(r.text, /later: \*\*\*MASKED\*\*\*/);
});

test('values of secret-named env vars are masked without being declared', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo "token is $NPM_TOKEN and explicit is $PLAIN"\n' });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src, '--secret', 'PLAIN'], {
    env: { NPM_TOKEN: 'npm_abcdef123456', PLAIN: 'plain-but-secret' },
  });
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /token is \*\*\*NPM_TOKEN\*\*\* and explicit is \*\*\*PLAIN\*\*\*/);
  assert.doesNotMatch(r.stdout, /npm_abcdef123456|plain-but-secret/);
});
