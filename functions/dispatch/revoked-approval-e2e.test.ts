/**
 * Revoking a definition version's approval reaches the contributor runs already waiting for it:
 * the real dispatcher (process executor, real runner) claims them once they become runnable,
 * looks at the version again, and ends them `cancelled` — no run, no secret handed out, the
 * refusal audited. A run of a version that stays approved, waiting the same way, runs and gets
 * its secret: the control that shows the refusal is the revocation's doing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import type { JobState } from '../../core/job-state.ts';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import { createSecretCipher, generateMasterKey, parseMasterKeys } from '../../core/secret-cipher.ts';
import { makeTar } from '../../runner/fetch/test-support/tarballs.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher, type StartedDispatcher } from '../compose/start-dispatcher.ts';
import { definitionRunSpec } from '../definitions/definition-run-spec.ts';
import { silentLogger } from '../deps.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
let dispatcher: StartedDispatcher;
let dir: string;
let jobCode: { url: string; sha256: string };
let prSource: { kind: 'tarball'; url: string; sha256: string };
const secretValue = 'granted-to-prs-value-7c1e';

before(async () => {
  f = await createDefinitionFixture();
  dir = mkdtempSync(join(tmpdir(), 'rc-revoked-'));
  jobCode = await f.upload('maintainer', await makeTar([{ header: { name: 'reactorcide_job.sh', mode: 0o755 }, body: 'echo "approved job code ran with [$PR_SECRET]"\n' }]));
  prSource = { kind: 'tarball', ...(await f.upload('contributor', await makeTar([{ header: { name: 'pr.txt' }, body: 'pr\n' }], { gzip: true }))) };
  const secretCipher = createSecretCipher(parseMasterKeys(`test:${generateMasterKey()}`, 'test keys'));
  await createPgSecretStore(f.db, secretCipher).put('PR_SECRET', secretValue, { tokenId: null });
  // One run at a time: while the blocker runs, every other job waits for the dispatcher.
  const config = parseDispatcherConfig({ REACTORCIDE_LEASE_SECONDS: '5', REACTORCIDE_MAX_RUNS: '1' }, mkdtempSync(join(tmpdir(), 'rc-revoked-work-')));
  dispatcher = await startConfiguredDispatcher(config, f.db, { embedded: false, logger: silentLogger, env: process.env, secretCipher });
});
after(async () => {
  await dispatcher.stop();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

const getJob = async (id: string): Promise<Job> => (await (await f.call('maintainer', 'GET', `/v1/jobs/${id}`)).json()) as Job;

async function until(id: string, done: (state: JobState) => boolean, what: string): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await getJob(id);
    if (done(job.state)) return job;
    assert.ok(Date.now() < deadline, `job ${id} still ${job.state}, waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A maintainer's job that holds the dispatcher's one run (and `group`'s slot) until `release`. */
async function blocker(name: string, group?: string): Promise<{ id: string; release(): void }> {
  const gate = join(dir, `${name}-go`);
  const res = await f.call('maintainer', 'POST', '/v1/jobs', {
    name,
    source: { kind: 'directory', path: dir },
    command: ['sh', '-c', `while [ ! -f '${gate}' ]; do sleep 0.05; done`],
    timeout: 120,
    ...(group === undefined ? {} : { concurrency: { group, limit: 1 } }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as Job;
  await until(id, (s) => s === 'running', 'the blocker to run');
  return { id, release: () => writeFileSync(gate, '') };
}

const define = (name: string) =>
  f.define({ name, jobCode, secrets: ['PR_SECRET'], secretsByRole: { contributor: ['PR_SECRET'] }, caps: { timeout: 120 }, roles: ['contributor'] });

async function auditOf(jobId: string): Promise<Array<{ action: string; secretNames: string[]; detail: Record<string, unknown> }>> {
  const res = await f.call('admin', 'GET', `/v1/audit?targetId=${jobId}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { entries: Array<{ action: string; secretNames: string[]; detail: Record<string, unknown> }> }).entries;
}

test('a contributor run waiting for the dispatcher when its version is revoked never starts; a run of an approved version does', async () => {
  const revoked = await define('ci');
  const kept = await define('ci-kept');
  const block = await blocker('busy');
  const submit = async (definition: string): Promise<Job> => {
    const res = await f.call('contributor', 'POST', '/v1/jobs', { definition, source: prSource });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as Job;
  };
  const doomed = await submit(`ci@${revoked.version}`);
  const control = await submit(`ci-kept@${kept.version}`);
  assert.equal(doomed.spec.definition?.requiresApproval, true);
  assert.equal((await getJob(doomed.id)).state, 'queued');

  const res = await f.call('maintainer', 'POST', `/v1/definitions/ci/versions/${revoked.version}/revoke`);
  assert.equal(res.status, 200);
  block.release();

  const ended = await until(doomed.id, isTerminal, 'the revoked run to end');
  assert.equal(ended.state, 'cancelled');
  assert.equal(ended.errorReason, `approval of ci@${revoked.version} was revoked before this run started; it was not started and received no secrets`);
  assert.equal(ended.exitCode, null);
  const log = await (await f.call('maintainer', 'GET', `/v1/jobs/${doomed.id}/logs`)).text();
  assert.doesNotMatch(log, /approved job code ran/);
  const entries = await auditOf(doomed.id);
  assert.deepEqual(entries.map((e) => e.action).sort(), ['job.refused', 'job.submit']);
  assert.equal(entries.find((e) => e.action === 'job.refused')?.detail['definition'], `ci@${revoked.version}`);

  const ran = await until(control.id, isTerminal, 'the control run to end');
  const controlLog = await (await f.call('maintainer', 'GET', `/v1/jobs/${control.id}/logs`)).text();
  assert.equal(ran.state, 'succeeded', `${ran.errorReason ?? ''}\n${controlLog}`);
  assert.match(controlLog, /approved job code ran with \[\*\*\*PR_SECRET\*\*\*\]/);
  assert.deepEqual((await auditOf(control.id)).map((e) => e.action).sort(), ['job.secrets', 'job.submit']);
  await until(block.id, isTerminal, 'the blocker to end');
});

test('a contributor run waiting for a busy concurrency group, then admitted after the revocation, never starts', async () => {
  const def = await define('ci-group');
  const block = await blocker('group-holder', 'pr-gate');
  // Contributors cannot name a group; the spec is the one the API builds for them, put in the group by hand.
  const contributor = await f.deps.tokens.verify(f.tokens.contributor);
  assert.ok(contributor);
  const spec = await definitionRunSpec(f.deps, contributor, { definition: `ci-group@${def.version}`, source: prSource });
  const { job } = await f.deps.jobs.submit({ spec: { ...spec, concurrency: { group: 'pr-gate', limit: 1, policy: 'queue' } }, submittedBy: contributor.id });
  assert.equal((await getJob(job.id)).state, 'waiting');

  assert.equal((await f.call('maintainer', 'POST', `/v1/definitions/ci-group/versions/${def.version}/revoke`)).status, 200);
  block.release();

  const ended = await until(job.id, isTerminal, 'the revoked run to end');
  assert.equal(ended.state, 'cancelled');
  assert.match(ended.errorReason ?? '', new RegExp(`^approval of ci-group@${def.version} was revoked before this run started`));
  assert.doesNotMatch(await (await f.call('maintainer', 'GET', `/v1/jobs/${job.id}/logs`)).text(), /approved job code ran/);
  assert.deepEqual((await auditOf(job.id)).map((e) => e.action).sort(), ['job.refused', 'job.submit']);
});
