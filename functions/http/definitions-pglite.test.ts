/** The definition flow on embedded PGlite: the same SQL (triggers, advisory lock, audit rows) as on Postgres. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../core/job.ts';
import type { JobDefinition } from '../../core/job-definition.ts';
import { makeTar } from '../../runner/fetch/test-support/tarballs.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
before(async () => {
  f = await createDefinitionFixture('pglite');
});
after(() => f.close());

test('create, version, approve, run as a contributor, refuse a change, audit each step', async () => {
  const jobCode = await f.upload('maintainer', await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo hi\n' }]));
  const body = { name: 'embedded', jobCode, params: { N: { pattern: '[0-9]{1,3}' } }, caps: { timeout: 60 }, roles: ['contributor'] };
  const created = await Promise.all([1, 2, 3].map(() => f.call('maintainer', 'POST', '/v1/definitions', body)));
  const versions = (await Promise.all(created.map(async (r) => ((await r.json()) as JobDefinition).version))).sort();
  assert.deepEqual(versions, [1, 2, 3]);
  const source = { kind: 'tarball', ...(await f.upload('contributor', await makeTar([{ header: { name: 'a' }, body: 'a' }]))) };
  const run = { definition: 'embedded@2', source, params: { N: '7' } };
  assert.equal((await f.call('contributor', 'POST', '/v1/jobs', run)).status, 403);
  assert.equal((await f.call('maintainer', 'POST', '/v1/definitions/embedded/versions/2/approve')).status, 200);
  const res = await f.call('contributor', 'POST', '/v1/jobs', run);
  assert.equal(res.status, 201);
  assert.deepEqual(((await res.json()) as Job).spec.definition, { name: 'embedded', version: 2, digest: jobCode.sha256, requiresApproval: true });
  assert.equal((await f.call('contributor', 'POST', '/v1/jobs', { ...run, params: { N: '7777' } })).status, 422);
  await assert.rejects(f.db.none(`UPDATE job_definitions SET body = '{}' WHERE name = 'embedded'`), /immutable/);
  const actions = await f.db.map(`SELECT action FROM audit_log WHERE target_kind = 'definition' ORDER BY created_at`, [], (r: { action: string }) => r.action);
  assert.deepEqual(actions, ['definition.create', 'definition.create', 'definition.create', 'definition.approve']);
});
