/**
 * A contributor's pull request run through an approved definition, end to end: the API, the
 * dispatcher, the process executor and the real runner. The pull request carries everything an
 * attacker would put in it — its own job scripts, a plugin, an .npmrc with node-options, a
 * node_modules that shadows reactorcide/job, a symlink to /proc/self/environ — and none of it
 * runs or leaks: what runs is the job code pinned by the definition.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import { createSecretCipher, generateMasterKey, parseMasterKeys } from '../../core/secret-cipher.ts';
import { makeTar, type Member } from '../../runner/fetch/test-support/tarballs.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { silentLogger } from '../deps.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
let dispatcher: StartedDispatcher;
let jobCode: { url: string; sha256: string };
const secretValue = 'pr-granted-s3cr3t-value';

const file = (name: string, body: string, mode = 0o644): Member => ({ header: { name, mode }, body });

/** Everything a hostile pull request would carry to take over the run. */
const pwnedTree: Member[] = [
  file('reactorcide_job.sh', 'echo PWNED-source-script\n', 0o755),
  file('reactorcide_job.mjs', "console.log('PWNED-source-mjs');\n"),
  file('reactorcide_job.ts', "console.log('PWNED-source-ts');\n"),
  file('.reactorcide/plugins/pwn.mjs', "export default { name: 'pwn', startup() { console.log('PWNED-plugin'); } };\n"),
  file('.npmrc', 'node-options=--require=./pwn.cjs\nregistry=https://evil.example/\n'),
  file('pwn.cjs', "console.log('PWNED-npmrc');\n"),
  file('node_modules/reactorcide/package.json', '{"name":"reactorcide","exports":{"./job":"./job.js"}}\n'),
  file('node_modules/reactorcide/job.js', "console.log('PWNED-module'); export const job = {};\n"),
  file('package.json', '{"name":"pr","scripts":{"test":"echo PWNED-npm-script"}}\n'),
  file('pr.txt', 'the change under review\n'),
];

before(async () => {
  f = await createDefinitionFixture();
  jobCode = await f.upload(
    'maintainer',
    await makeTar([
      // A Node job: if node-options from the source's .npmrc or its node_modules were honoured, they would show here.
      file(
        'reactorcide_job.mjs',
        [
          "import { readFileSync } from 'node:fs';",
          "import { job } from 'reactorcide/job';",
          "console.log('approved job code ran for ' + process.env.TARGET + ' with job ' + typeof job);",
          "console.log('source says: ' + readFileSync('pr.txt', 'utf8').trim());",
          "console.log('NODE_OPTIONS=' + (process.env.NODE_OPTIONS ?? ''));",
        ].join('\n') + '\n',
      ),
      file('ci/run.sh', '#!/bin/sh\necho "entrypoint script ran in $(basename "$REACTORCIDE_JOB_DIR")"\n', 0o755),
    ]),
  );
  const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5' }, mkdtempSync(join(tmpdir(), 'rc-definition-run-')));
  const secretCipher = createSecretCipher(parseMasterKeys(`test:${generateMasterKey()}`, 'test keys'));
  const secrets = createPgSecretStore(f.db, secretCipher);
  await secrets.put('PR_GRANTED', secretValue, { tokenId: null });
  await secrets.put('DEPLOY_CREDENTIAL', 'deploy-value-never-for-prs', { tokenId: null });
  dispatcher = await startConfiguredDispatcher(config, f.db, { embedded: false, logger: silentLogger, env: process.env, secretCipher });
});
after(async () => {
  await dispatcher.stop();
  await f.close();
});

async function runAsContributor(definition: string, tree: Member[]): Promise<{ job: Job; log: string }> {
  const source = { kind: 'tarball', ...(await f.upload('contributor', await makeTar(tree, { gzip: true }))) };
  const res = await f.call('contributor', 'POST', '/v1/jobs', { definition, source, params: { TARGET: 'unit' } });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as Job;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await (await f.call('contributor', 'GET', `/v1/jobs/${id}`)).json()) as Job;
    if (isTerminal(job.state)) return { job, log: await (await f.call('contributor', 'GET', `/v1/jobs/${id}/logs`)).text() };
    assert.ok(Date.now() < deadline, `job still ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("the definition's job code runs; the pull request's scripts, plugin, .npmrc and node_modules do not", async () => {
  const def = await f.define({ name: 'pr-check', jobCode, params: { TARGET: { pattern: '[a-z]+' } }, caps: { timeout: 120 }, roles: ['contributor'] });
  const { job, log } = await runAsContributor(`pr-check@${def.version}`, pwnedTree);
  assert.equal(job.state, 'succeeded', `${job.errorReason ?? ''}\n${log}`);
  assert.match(log, /approved job code ran for unit with job object/);
  assert.match(log, /source says: the change under review/);
  assert.match(log, /NODE_OPTIONS=\n/);
  assert.doesNotMatch(log, /PWNED/);
  assert.deepEqual(job.spec.definition, { name: 'pr-check', version: def.version, digest: jobCode.sha256, requiresApproval: true });
});

test('a script entrypoint runs from the job code, not from a same-named file in the source', async () => {
  const def = await f.define({
    name: 'pr-script',
    jobCode,
    entrypoint: { script: 'ci/run.sh' },
    params: { TARGET: { pattern: '[a-z]+' } },
    caps: { timeout: 120 },
    roles: ['contributor'],
  });
  const { job, log } = await runAsContributor(`pr-script@${def.version}`, [...pwnedTree, file('ci/run.sh', '#!/bin/sh\necho PWNED-source-entrypoint\n', 0o755)]);
  assert.equal(job.state, 'succeeded', `${job.errorReason ?? ''}\n${log}`);
  assert.match(log, /entrypoint script ran in job/);
  assert.doesNotMatch(log, /PWNED/);
});

test('a symlink to /proc/self/environ in the pull request is refused at fetch: the run ends errored and nothing is read', async () => {
  const def = await f.define({ name: 'pr-link', jobCode, params: { TARGET: { pattern: '[a-z]+' } }, caps: { timeout: 120 }, roles: ['contributor'] });
  for (const target of ['/proc/self/environ', '../../../../../../../../proc/self/environ']) {
    const { job, log } = await runAsContributor(`pr-link@${def.version}`, [file('pr.txt', 'x\n'), { header: { name: 'environ', type: 'symlink', linkname: target } }]);
    assert.equal(job.state, 'errored', target);
    assert.match(job.errorReason ?? '', /fetch_source: .*symlink/, target);
    assert.doesNotMatch(log, /approved job code ran/);
    assert.doesNotMatch(log, /PATH=|HOME=/);
  }
});

test('the control: the same pull request as its own job code runs its script and plugin (so the checks above can fail)', async () => {
  const source = { kind: 'tarball', ...(await f.upload('maintainer', await makeTar(pwnedTree, { gzip: true }))) };
  const res = await f.call('maintainer', 'POST', '/v1/jobs', { source });
  const { id } = (await res.json()) as Job;
  const deadline = Date.now() + 60_000;
  let job: Job;
  do {
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 100));
    job = (await (await f.call('maintainer', 'GET', `/v1/jobs/${id}`)).json()) as Job;
  } while (!isTerminal(job.state));
  const log = await (await f.call('maintainer', 'GET', `/v1/jobs/${id}/logs`)).text();
  assert.match(log, /PWNED-plugin/);
  assert.match(log, /PWNED-source-ts/);
});

test("a contributor's run gets exactly the secrets the definition grants its role, masked; the others never reach it", async () => {
  const printer = await f.upload(
    'maintainer',
    await makeTar([
      file(
        'reactorcide_job.sh',
        [
          'echo "granted: $PR_GRANTED"',
          'printf %s "$PR_GRANTED" | base64',
          'printf %s "$PR_GRANTED" | od -An -tx1 | tr -d " \\n"; echo',
          'echo "granted on stderr: $PR_GRANTED" >&2',
          'echo "deploy: [${DEPLOY_CREDENTIAL:-absent}]"',
        ].join('\n') + '\n',
      ),
    ]),
  );
  const def = await f.define({
    name: 'pr-secrets',
    jobCode: printer,
    secrets: ['PR_GRANTED', 'DEPLOY_CREDENTIAL'],
    secretsByRole: { contributor: ['PR_GRANTED'] },
    caps: { timeout: 120 },
    roles: ['contributor'],
  });
  const source = { kind: 'tarball', ...(await f.upload('contributor', await makeTar([file('pr.txt', 'x\n')], { gzip: true }))) };
  const res = await f.call('contributor', 'POST', '/v1/jobs', { definition: `pr-secrets@${def.version}`, source });
  const { id, spec } = (await res.json()) as Job;
  assert.deepEqual(spec.secrets, ['PR_GRANTED']);
  const deadline = Date.now() + 60_000;
  let job: Job;
  do {
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 100));
    job = (await (await f.call('contributor', 'GET', `/v1/jobs/${id}`)).json()) as Job;
  } while (!isTerminal(job.state));
  const log = await (await f.call('contributor', 'GET', `/v1/jobs/${id}/logs`)).text();
  assert.equal(job.state, 'succeeded', `${job.errorReason ?? ''}\n${log}`);
  assert.match(log, /granted: \*\*\*PR_GRANTED\*\*\*/);
  assert.match(log, /granted on stderr: \*\*\*PR_GRANTED\*\*\*/);
  assert.match(log, /deploy: \[absent\]/);
  for (const form of [secretValue, Buffer.from(secretValue).toString('base64'), Buffer.from(secretValue).toString('hex'), 'deploy-value-never-for-prs']) {
    assert.ok(!log.includes(form), `the log holds ${form}`);
  }
});
