/**
 * The definition routes and a run of a definition, as maintainers use them: versions, approval,
 * what a run's spec holds, and what the database keeps (immutability, the audit trail).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../core/job.ts';
import type { JobDefinition } from '../../core/job-definition.ts';
import { makeTar } from '../../runner/fetch/test-support/tarballs.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
let jobCode: { url: string; sha256: string };
let source: { kind: 'tarball'; url: string; sha256: string };
before(async () => {
  f = await createDefinitionFixture();
  jobCode = await f.upload('maintainer', await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo hi\n' }]));
  const pr = await f.upload('contributor', await makeTar([{ header: { name: 'README' }, body: 'pr\n' }]));
  source = { kind: 'tarball', ...pr };
});
after(() => f.close());

const body = (over: Record<string, unknown> = {}) => ({
  name: 'test',
  jobCode,
  entrypoint: { script: 'ci/test.sh' },
  secrets: ['NPM_TOKEN', 'DEPLOY_KEY'],
  secretsByRole: { contributor: ['NPM_TOKEN'] },
  params: { TARGET: { pattern: '[a-z]{1,10}', default: 'all' }, SHARD: { pattern: '[0-9]' } },
  caps: { timeout: 600, cpu: '2', memory: '1Gi', priority: 5 },
  roles: ['contributor', 'maintainer'],
  ...over,
});

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

test('each create is the next version of its name, pending until approved; reads for every role', async () => {
  const v1 = (await (await f.call('maintainer', 'POST', '/v1/definitions', body({ name: 'versions' }))).json()) as JobDefinition;
  const v2res = await f.call('admin', 'POST', '/v1/definitions', body({ name: 'versions', caps: { timeout: 60 } }));
  assert.equal(v2res.status, 201);
  const v2 = (await v2res.json()) as JobDefinition;
  assert.deepEqual([v1.version, v2.version, v1.state, v2.state], [1, 2, 'pending', 'pending']);
  assert.equal(v2.caps.timeout, 60);
  for (const role of ['admin', 'maintainer', 'contributor', 'viewer'] as const) {
    const one = (await (await f.call(role, 'GET', '/v1/definitions/versions/versions/1')).json()) as JobDefinition;
    assert.equal(one.caps.timeout, 600, role);
    const list = (await (await f.call(role, 'GET', '/v1/definitions?name=versions')).json()) as { definitions: JobDefinition[] };
    assert.deepEqual(list.definitions.map((d) => d.version), [2, 1], role);
  }
  assert.equal((await f.call('viewer', 'GET', '/v1/definitions/versions/versions/3')).status, 404);
});

test('concurrent creates of one name get distinct versions', async () => {
  const all = await Promise.all(Array.from({ length: 8 }, () => f.call('maintainer', 'POST', '/v1/definitions', body({ name: 'race' }))));
  const versions = await Promise.all(all.map(async (r) => ((await r.json()) as JobDefinition).version));
  assert.deepEqual(versions.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('approve, revoke, approve again; the same state twice changes nothing; unknown is 404', async () => {
  const def = await f.define(body({ name: 'approval' }), { approve: false });
  const path = `/v1/definitions/approval/versions/${def.version}`;
  const approved = (await (await f.call('maintainer', 'POST', `${path}/approve`)).json()) as JobDefinition;
  assert.equal(approved.state, 'approved');
  assert.ok(approved.approvedAt && approved.approvedBy);
  const again = (await (await f.call('admin', 'POST', `${path}/approve`)).json()) as JobDefinition;
  assert.equal(again.approvedAt, approved.approvedAt);
  const revoked = (await (await f.call('admin', 'POST', `${path}/revoke`)).json()) as JobDefinition;
  assert.equal(revoked.state, 'revoked');
  assert.equal(((await (await f.call('maintainer', 'POST', `${path}/approve`)).json()) as JobDefinition).state, 'approved');
  assert.equal((await f.call('maintainer', 'POST', '/v1/definitions/approval/versions/99/approve')).status, 404);
  const audit = await f.db.manyOrNone<{ action: string; actor_role: string; job_code_digest: string; secret_names: string[] }>(
    `SELECT action, actor_role, job_code_digest, secret_names FROM audit_log WHERE target_kind = 'definition' AND target_id = $1 ORDER BY created_at, action`,
    [`approval@${def.version}`],
  );
  assert.deepEqual(audit.map((a) => `${a.action}/${a.actor_role}`), ['definition.create/maintainer', 'definition.approve/maintainer', 'definition.revoke/admin', 'definition.approve/maintainer']);
  assert.ok(audit.every((a) => a.job_code_digest === jobCode.sha256 && a.secret_names.join() === 'NPM_TOKEN,DEPLOY_KEY'));
});

test('a version cannot be changed, even by SQL: only its approval moves', async () => {
  const def = await f.define(body({ name: 'immutable' }));
  await assert.rejects(f.db.none(`UPDATE job_definitions SET body = jsonb_set(body, '{roles}', '["viewer"]') WHERE name = 'immutable'`), /immutable/);
  await assert.rejects(f.db.none(`UPDATE job_definitions SET digest = $1 WHERE name = 'immutable'`, ['0'.repeat(64)]), /immutable/);
  assert.equal((await f.deps.definitions.get('immutable', def.version))?.roles.join(), 'contributor,maintainer');
});

test('what a definition may hold is checked when it is written', async () => {
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['a param that would change what runs', { params: { LD_PRELOAD: { pattern: '.*' } } }, 403, 'body.params.LD_PRELOAD'],
    ['the same in lower case', { params: { node_options: { pattern: '.*' } } }, 403, 'body.params.node_options'],
    ['a runner setting', { params: { REACTORCIDE_JOB_CODE: { pattern: '.*' } } }, 403, 'body.params.REACTORCIDE_JOB_CODE'],
    ['a look-alike name', { params: { 'P\u0410TH': { pattern: '.*' } } }, 403, 'body.params.PАTH'],
    ['a backreference', { params: { X: { pattern: '(a)\\1' } } }, 400, 'body.params.X.pattern'],
    ['a default off its pattern', { params: { X: { pattern: '[0-9]+', default: 'x' } } }, 400, 'body.params.X.default'],
    ['a param shadowing a secret', { params: { NPM_TOKEN: { pattern: '.*' } } }, 400, 'body.params.NPM_TOKEN'],
    ['a role granted a secret the definition lacks', { secretsByRole: { contributor: ['AWS_SECRET'] } }, 400, 'body.secretsByRole.contributor'],
    ['a script out of the job code', { entrypoint: { script: '../../source/run.sh' } }, 400, 'body.entrypoint.script'],
    ['an absolute script', { entrypoint: { script: '/bin/sh' } }, 400, 'body.entrypoint.script'],
    ['job code without a digest', { jobCode: { url: jobCode.url } }, 400, 'body.jobCode.sha256'],
    ['no roles', { roles: [] }, 400, 'body.roles'],
    ['an unknown field', { plugins: ['x'] }, 400, 'body.plugins'],
  ];
  for (const [what, over, status, field] of cases) {
    const res = await f.call('maintainer', 'POST', '/v1/definitions', body({ name: 'checked', ...over }));
    assert.equal(res.status, status, what);
    assert.equal((await errorOf(res)).field, field, what);
  }
  assert.equal((await f.deps.definitions.list({ name: 'checked', limit: 10 })).length, 0);
});

test("a run's spec: pinned job code, entrypoint, caps, the role's secret names, params as env, and the definition it ran", async () => {
  const def = await f.define(body({ name: 'spec' }));
  const res = await f.call('contributor', 'POST', '/v1/jobs', { definition: `spec@${def.version}`, source, params: { SHARD: '3' } });
  assert.equal(res.status, 201, await res.clone().text());
  const job = (await res.json()) as Job;
  assert.deepEqual(job.spec.jobCode, { kind: 'tarball', url: jobCode.url, sha256: jobCode.sha256 });
  assert.deepEqual(job.spec.command, ['/bin/sh', '-c', 'exec "$REACTORCIDE_JOB_DIR/$1"', 'reactorcide-entrypoint', 'ci/test.sh']);
  assert.deepEqual(job.spec.env, { SHARD: '3', TARGET: 'all' });
  assert.deepEqual(job.spec.secrets, ['NPM_TOKEN']);
  assert.deepEqual(job.spec.resources, { cpu: '2', memory: '1Gi' });
  assert.deepEqual([job.spec.timeout, job.spec.priority, job.spec.queue], [600, 5, 'default']);
  assert.deepEqual(job.spec.definition, { name: 'spec', version: def.version, digest: jobCode.sha256, requiresApproval: true });
  const status = (await (await f.call('contributor', 'GET', `/v1/jobs/${job.id}`)).json()) as Job;
  assert.deepEqual(status.spec.definition, job.spec.definition);
  const asMaintainer = (await (await f.call('maintainer', 'POST', '/v1/jobs', { definition: `spec@${def.version}`, source, params: { SHARD: '1' } })).json()) as Job;
  // No grant for maintainers in secretsByRole: they get every secret of the definition.
  assert.deepEqual(asMaintainer.spec.secrets, ['NPM_TOKEN', 'DEPLOY_KEY']);
  // Maintainers may run any version, so their runs are not held to its approval at dispatch.
  assert.deepEqual(asMaintainer.spec.definition, { name: 'spec', version: def.version, digest: jobCode.sha256 });
});

test('contributors get no secrets unless the maintainer granted them', async () => {
  const def = await f.define(body({ name: 'no-grant', secretsByRole: {} }));
  const job = (await (await f.call('contributor', 'POST', '/v1/jobs', { definition: `no-grant@${def.version}`, source, params: { SHARD: '0' } })).json()) as Job;
  assert.deepEqual(job.spec.secrets, []);
});

test('maintainers may organise a run and add env, but not change what runs', async () => {
  const def = await f.define(body({ name: 'extras' }));
  const run = { definition: `extras@${def.version}`, source, params: { SHARD: '2' } };
  const ok = await f.call('maintainer', 'POST', '/v1/jobs', { ...run, name: 'nightly', labels: { pr: '12' }, priority: 50, env: { DEBUG: '1' } });
  assert.equal(ok.status, 201, await ok.clone().text());
  const job = (await ok.json()) as Job;
  assert.deepEqual([job.name, job.spec.priority, job.spec.env['DEBUG'], job.labels['pr']], ['nightly', 50, '1', '12']);
  for (const [field, value, status] of [
    ['command', ['sh', '-c', 'id'], 400],
    ['jobCode', { kind: 'directory', path: '/tmp' }, 400],
    ['secrets', ['DEPLOY_KEY'], 400],
    ['timeout', 99999, 400],
  ] as const) {
    const res = await f.call('maintainer', 'POST', '/v1/jobs', { ...run, [field]: value });
    assert.equal(res.status, status, field);
    assert.equal((await errorOf(res)).field, field);
  }
  const env = await f.call('maintainer', 'POST', '/v1/jobs', { ...run, env: { LD_PRELOAD: '/tmp/x.so' } });
  assert.equal(env.status, 403);
  assert.equal((await errorOf(env)).field, 'env.LD_PRELOAD');
  const shadow = await f.call('maintainer', 'POST', '/v1/jobs', { ...run, env: { SHARD: '9' } });
  assert.equal(shadow.status, 400);
  const params = await f.call('maintainer', 'POST', '/v1/jobs', { source, params: { A: 'b' } });
  assert.equal((await errorOf(params)).field, 'params');
});

test('a maintainer may try a pending version; a role the definition does not name may not run it', async () => {
  const pending = await f.define(body({ name: 'pending' }), { approve: false });
  const run = { definition: `pending@${pending.version}`, source, params: { SHARD: '1' } };
  assert.equal((await f.call('maintainer', 'POST', '/v1/jobs', run)).status, 201);
  const onlyMaintainers = await f.define(body({ name: 'maintainers-only', roles: ['maintainer'] }));
  const res = await f.call('contributor', 'POST', '/v1/jobs', { ...run, definition: `maintainers-only@${onlyMaintainers.version}` });
  assert.equal(res.status, 403);
  assert.match((await errorOf(res)).message, /may not be run by role contributor/);
  assert.equal((await f.call('admin', 'POST', '/v1/jobs', { ...run, definition: 'nope@1' })).status, 404);
});
