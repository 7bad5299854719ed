/**
 * The attacker's view of a whole run: a job holding a secret tries every channel by which its
 * output reaches a person — stdout, stderr, a grandchild, slow single bytes, encodings, the
 * runner's own messages (the command line it shows, a plugin's exception, the error in the
 * summary). Each check runs through the real CLI and reads its NDJSON, as the system would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTree, runCli } from '../test-support/run-cli.ts';

const secret = 'sk_live_9fA3+x/Q"7=tail';
const env = { STRIPE_SECRET_KEY: secret };
const encodings = [
  secret,
  Buffer.from(secret).toString('base64').slice(0, 24),
  Buffer.from(secret).toString('hex'),
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
];

function assertNoLeak(output: string): void {
  for (const form of encodings) assert.ok(!output.includes(form), `leaked ${JSON.stringify(form)}`);
}

test('a job and its grandchildren cannot print the secret in any common form, on any stream', async () => {
  const src = await makeTree({
    'reactorcide_job.sh': [
      'echo "plain $STRIPE_SECRET_KEY"',
      'sh -c \'sh -c "echo grandchild: \\$STRIPE_SECRET_KEY >&2"\'',
      'printf "%s" "$STRIPE_SECRET_KEY" | base64',
      'printf "prefix-%s-suffix" "$STRIPE_SECRET_KEY" | base64',
      'printf "%s" "$STRIPE_SECRET_KEY" | od -An -tx1 | tr -d " \\n"; echo',
      'node -e \'console.log(JSON.stringify({ key: process.env.STRIPE_SECRET_KEY }))\'',
      'node -e \'console.log("https://api.example.com/?k=" + encodeURIComponent(process.env.STRIPE_SECRET_KEY))\'',
      // One byte per write, with pauses between the writes.
      'node -e \'const s = process.env.STRIPE_SECRET_KEY; let i = 0; const t = setInterval(() => { process.stdout.write(s[i++] ?? "\\n"); if (i > s.length) clearInterval(t); }, 3)\'',
      'node -e \'throw new Error("failed with " + process.env.STRIPE_SECRET_KEY)\' || true',
    ].join('\n'),
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.text, /plain \*\*\*STRIPE_SECRET_KEY\*\*\*/);
  assert.match(r.textOf('stderr'), /grandchild: \*\*\*STRIPE_SECRET_KEY\*\*\*/);
  assert.match(r.textOf('stderr'), /Error: failed with \*\*\*STRIPE_SECRET_KEY\*\*\*/);
  // Every attack above did print its form of the secret (none failed silently): nine markers.
  const markers = r.text.split('***STRIPE_SECRET_KEY***').length - 1;
  assert.ok(markers >= 9, `${markers} markers in ${r.text}`);
  assertNoLeak(r.stdout);
  assertNoLeak(r.stderr);
});

test("the runner's own voice is masked: the command line, a plugin's exception, the summary's error", async () => {
  const src = await makeTree({
    '.reactorcide/plugins/leaky.mjs': `export default { name: 'leaky',
      beforeRun() { throw new Error('could not log in with ' + process.env.STRIPE_SECRET_KEY); } };`,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src, '--', 'echo', secret], { env });
  assert.equal(r.summary?.outcome, 'errored');
  assert.match(r.summary?.error?.message ?? '', /could not log in with \*\*\*STRIPE_SECRET_KEY\*\*\*/);
  assertNoLeak(r.stdout);

  const shown = await runCli(['run', '--format', 'ndjson', '--source', await makeTree({}), '--', 'sh', '-c', `exit 3 # ${secret}`], { env });
  assert.equal(shown.code, 3);
  assert.match(shown.text, /running sh -c exit 3 # \*\*\*STRIPE_SECRET_KEY\*\*\*/);
  assertNoLeak(shown.stdout);
});

test('a value too short to mask is named, never shown', async () => {
  const src = await makeTree({ 'reactorcide_job.sh': 'echo ok\n' });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src], { env: { TINY_TOKEN: 'abc' } });
  assert.equal(r.code, 0);
  assert.match(r.text, /the value of TINY_TOKEN is too short to mask safely and is not masked/);
});
