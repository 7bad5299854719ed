/**
 * `secret`, `definition`, `token` over the API, and a contributor's `submit --definition`,
 * through the real CLI against `reactorcide serve` on embedded defaults (which generates its
 * own master key, so secrets work without setup).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCliHarness, type CliHarness } from './test-support/cli-harness.ts';

let h: CliHarness;
before(async () => {
  h = await startCliHarness();
});
after(() => h.close());

test('secret set reads stdin (dropping one newline) or a file, never an argument; list shows names only', async () => {
  const set = await h.cli(['secret', 'set', 'CLI_SECRET'], { stdin: 'piped-secret-value\n' });
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /stored CLI_SECRET/);
  const file = join(h.tree({}), 'value');
  writeFileSync(file, 'from-a-file-value\n');
  assert.equal((await h.cli(['secret', 'set', 'FILE_SECRET', '--from-file', file])).code, 0);
  const asArgument = await h.cli(['secret', 'set', 'ARG_SECRET', 'the-value']);
  assert.equal(asArgument.code, 2, 'a value as an argument is a usage error');
  assert.match(asArgument.stderr, /too many arguments/);
  const listed = await h.cli(['secret', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(((JSON.parse(listed.stdout) as { secrets: { name: string }[] }).secrets).map((s) => s.name).sort(), ['CLI_SECRET', 'FILE_SECRET']);
  assert.doesNotMatch(listed.stdout, /piped-secret-value|from-a-file-value/);

  // The job gets the value without the newline `echo` added: it is masked whole in its log.
  const src = h.tree({ 'reactorcide_job.sh': 'printf "%s|" "$CLI_SECRET" "$FILE_SECRET"; echo\n' });
  const run = await h.cli(['submit', '--source', src, '--secret', 'CLI_SECRET', '--secret', 'FILE_SECRET']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\*\*\*CLI_SECRET\*\*\*\|\*\*\*FILE_SECRET\*\*\*\|/);
  assert.equal((await h.cli(['secret', 'delete', 'FILE_SECRET'])).code, 0);
  assert.equal((await h.cli(['secret', 'delete', 'FILE_SECRET'])).code, 1);
  const audit = await h.cli(['audit', '--action', 'secret.put,secret.delete', '--json']);
  assert.equal(audit.code, 0, audit.stderr);
  const entries = (JSON.parse(audit.stdout) as { entries: { action: string; target: { id: string } }[] }).entries;
  assert.deepEqual(entries.map((e) => `${e.action} ${e.target.id}`), ['secret.delete FILE_SECRET', 'secret.put FILE_SECRET', 'secret.put CLI_SECRET']);
  assert.match((await h.cli(['audit', '--target-kind', 'secret'])).stdout, /secret\.delete\s+secret:FILE_SECRET {2}by admin \(admin\)/);
  const empty = await h.cli(['secret', 'set', 'EMPTY_SECRET'], { stdin: '' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no value for EMPTY_SECRET/);
});

test('tokens over the API; a maintainer approves a definition from --job-code; a contributor runs it with params and nothing else', async () => {
  const maintainer = await h.cli(['token', 'create', '--remote', '--role', 'maintainer', '--name', 'm']);
  assert.equal(maintainer.code, 0, maintainer.stderr);
  const contributorJson = await h.cli(['token', 'create', '--server', h.url, '--role', 'contributor', '--json'], { env: { REACTORCIDE_TOKEN: h.token } });
  assert.equal(contributorJson.code, 0, contributorJson.stderr);
  const contributor = JSON.parse(contributorJson.stdout) as { id: string; token: string };
  const asMaintainer = { REACTORCIDE_SERVER: h.url, REACTORCIDE_TOKEN: maintainer.stdout.trim() };
  const asContributor = { REACTORCIDE_SERVER: h.url, REACTORCIDE_TOKEN: contributor.token };

  const jobCode = h.tree({ 'reactorcide_job.sh': 'echo "greeting $TARGET"\n' });
  const defFile = join(h.tree({}), 'def.json');
  writeFileSync(defFile, JSON.stringify({ name: 'greet', caps: { timeout: 60 }, roles: ['contributor'], params: { TARGET: { pattern: '[a-z]+' } } }));
  const created = await h.cli(['definition', 'create', '--file', defFile, '--job-code', jobCode, '--json'], { env: asMaintainer });
  assert.equal(created.code, 0, created.stderr);
  const def = JSON.parse(created.stdout) as { version: number; state: string; jobCode: { url: string; sha256: string } };
  assert.equal(def.state, 'pending');
  assert.match(def.jobCode.sha256, /^[0-9a-f]{64}$/);

  // The pull request carries its own job script: the definition's runs instead.
  const pr = h.tree({ 'reactorcide_job.sh': 'echo "the PR script ran"\n' });
  const early = await h.cli(['submit', '--definition', `greet@${def.version}`, '--param', 'TARGET=world'], { env: asContributor, cwd: pr });
  assert.notEqual(early.code, 0, 'a pending version cannot be run');
  assert.equal((await h.cli(['definition', 'approve', `greet@${def.version}`], { env: asMaintainer })).code, 0);
  const shown = await h.cli(['definition', 'show', `greet@${def.version}`, '--json'], { env: asContributor });
  assert.equal((JSON.parse(shown.stdout) as { state: string }).state, 'approved');

  const run = await h.cli(['submit', '--definition', `greet@${def.version}`, '--param', 'TARGET=world'], { env: asContributor, cwd: pr });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /greeting world/);
  assert.doesNotMatch(run.stdout, /the PR script ran/);
  const badParam = await h.cli(['submit', '-d', '--definition', `greet@${def.version}`, '--param', 'TARGET=World!'], { env: asContributor, cwd: pr });
  assert.equal(badParam.code, 1);
  assert.match(badParam.stderr, /TARGET/);
  const withCommand = await h.cli(['submit', '-d', '--definition', `greet@${def.version}`, '--', 'sh', '-c', 'env'], { env: asContributor, cwd: pr });
  assert.equal(withCommand.code, 77, 'refused, not dropped');
  assert.match(withCommand.stderr, /command/);

  assert.equal((await h.cli(['token', 'revoke', contributor.id])).code, 0);
  assert.equal((await h.cli(['list'], { env: asContributor })).code, 77, 'a revoked token is refused');
});
