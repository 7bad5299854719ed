import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../runner/test-support/run-cli.ts';

const examples = new URL('.', import.meta.url).pathname;

test('the hello example runs, and its run-time secret never shows, raw or in base64', async () => {
  const r = await runCli(['run', '--format', 'ndjson', '--source', join(examples, 'hello')]);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /Hello from job local-/);
  assert.match(r.text, /the session id prints as \*\*\*MASKED\*\*\*/);
  assert.match(r.text, /and in base64 as \*\*\*MASKED\*\*\*/);
  assert.doesNotMatch(r.text, /session-\d+-example/);
});

test('the TypeScript example runs with its plugin, and masks the key it registers', async () => {
  const r = await runCli(['run', '--format', 'ndjson', '--source', join(examples, 'typescript'), '--job-id', 'example-1']);
  assert.equal(r.code, 0, r.text);
  assert.match(r.text, /ok {3}runs in the source directory/);
  assert.match(r.text, /ok {3}plugin prepared BUILD_LABEL/);
  assert.match(r.textOf('stderr'), /calling the API with \*\*\*EXAMPLE_API_KEY\*\*\*/);
  assert.doesNotMatch(r.text, /key-example-1-0123456789/);
  assert.match(r.text, /build-label: the script succeeded in \d+ ms/);
});
