/**
 * An outside contributor's token, used as an attacker would: every route the app has, every
 * field a submit body can hold, params that try to steer the environment, sources that point
 * at the server's own files, definitions that are not approved, and other people's jobs. A
 * route added later is covered by the first test without anyone listing it here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../core/job.ts';
import { makeTar } from '../../runner/fetch/test-support/tarballs.ts';
import { SubmitJobBody } from '../schemas/index.ts';
import { createApp } from './create-app.ts';
import { createDefinitionFixture, type DefinitionFixture } from '../test-support/definition-fixture.ts';

let f: DefinitionFixture;
let other: string;
let source: { kind: 'tarball'; url: string; sha256: string };
let run: { definition: string; source: typeof source; params: Record<string, string> };
let otherJob: Job;
let secondContributor: string;

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;
const jobCount = async () => Number((await f.db.one<{ n: string }>('SELECT count(*) AS n FROM jobs')).n);

before(async () => {
  f = await createDefinitionFixture();
  const jobCode = await f.upload('maintainer', await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo approved\n' }]));
  source = { kind: 'tarball', ...(await f.upload('contributor', await makeTar([{ header: { name: 'pr.txt' }, body: 'pr\n' }]))) };
  const def = await f.define({
    name: 'ci',
    jobCode,
    secrets: ['NPM_TOKEN'],
    params: { TARGET: { pattern: '[a-z]{1,10}', default: 'all' } },
    caps: { timeout: 300 },
    roles: ['contributor'],
  });
  run = { definition: `ci@${def.version}`, source, params: { TARGET: 'unit' } };
  otherJob = (await (await f.call('maintainer', 'POST', '/v1/jobs', { source })).json()) as Job;
  other = otherJob.id;
  secondContributor = (await f.deps.tokens.create({ name: 'another contributor', role: 'contributor', expiresAt: null, createdBy: null })).token;
});
after(() => f.close());

describe('every /v1 route, as a contributor', () => {
  /**
   * What a contributor may get from a route (with another's job, a definition or a token named
   * in its path, and `{}` as its body). Any route not listed must refuse with 403: a route added
   * without a role check fails here until someone decides what contributors may do with it.
   */
  const allowed: Record<string, readonly number[]> = {
    'POST /v1/jobs': [403],
    'GET /v1/jobs': [200],
    'GET /v1/jobs/:id': [404],
    'GET /v1/jobs/:id/logs': [404],
    'POST /v1/jobs/:id/cancel': [404],
    'PUT /v1/blobs': [200, 201, 400],
    'GET /v1/definitions': [200],
    'GET /v1/definitions/:name/versions/:version': [200],
  };
  test('each route refuses or answers only what the table allows', async () => {
    const routes = f.app.routes.filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL');
    const seen = new Set<string>();
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const path = route.path
        .replace(':id', /^\/v1\/tokens/.test(route.path) ? '00000000-0000-4000-8000-000000000000' : other)
        .replace(':name', /definitions/.test(route.path) ? 'ci' : 'NPM_TOKEN')
        .replace(':version', '1')
        .replace(/:[a-zA-Z]+/g, 'x');
      const hasBody = !['GET', 'DELETE', 'HEAD'].includes(route.method);
      const res = await f.call('contributor', route.method, path, hasBody ? {} : undefined);
      const ok = allowed[key] ?? [403];
      assert.ok(ok.includes(res.status), `${key} (${path}) → ${res.status}, expected one of ${ok.join(', ')}: ${await res.text()}`);
    }
    for (const key of Object.keys(allowed)) assert.ok(seen.has(key), `the table names ${key}, which the app no longer has`);
    // Tokens and definition writes at least, besides the table's own.
    assert.ok(seen.size >= Object.keys(allowed).length + 4, [...seen].join(', '));
  });

  test('the list of jobs holds only the contributor’s own', async () => {
    const mine = (await (await f.call('contributor', 'POST', '/v1/jobs', run)).json()) as Job;
    const page = (await (await f.call('contributor', 'GET', '/v1/jobs?limit=200')).json()) as { jobs: Job[] };
    assert.ok(page.jobs.some((j) => j.id === mine.id));
    assert.ok(page.jobs.every((j) => j.submittedBy === mine.submittedBy));
    assert.ok(!page.jobs.some((j) => j.id === other));
  });
});

describe('submit: every field but definition, source and params is refused by name', () => {
  const shape = (SubmitJobBody as unknown as { shape: Record<string, unknown> }).shape;
  const fields = [...Object.keys(shape), 'plugins', 'image', 'jobcode', 'Command', 'ENV', '__proto__', 'constructor', 'definition ', 'spec', 'run'];
  const sample: Record<string, unknown> = {
    command: ['sh', '-c', 'env'],
    jobCode: { kind: 'tarball', url: 'https://evil.example/job.tgz' },
    env: { LD_PRELOAD: '/tmp/x.so' },
    secrets: ['NPM_TOKEN', 'DEPLOY_KEY'],
    resources: { cpu: '64' },
    timeout: 604800,
    priority: 1000,
    queue: 'fast',
    concurrency: { group: 'x' },
    dependsOn: [],
    retry: { maxAttempts: 20 },
    labels: { a: 'b' },
    name: 'x',
  };
  for (const field of fields.filter((k) => !['definition', 'source', 'params'].includes(k))) {
    test(`${JSON.stringify(field)} → 403 naming it, nothing stored`, async () => {
      const before = await jobCount();
      // Written as raw JSON so that __proto__ is a key of the body, as an attacker would send it.
      const raw = JSON.stringify(run).slice(0, -1) + `,${JSON.stringify(field)}:${JSON.stringify(Object.hasOwn(sample, field) ? sample[field] : 'x')}}`;
      const res = await f.call('contributor', 'POST', '/v1/jobs', raw);
      assert.equal(res.status, 403);
      const err = await errorOf(res);
      assert.equal(err.code, 'forbidden');
      assert.equal(err.field, field);
      assert.ok(err.message.startsWith(`${field}:`), err.message);
      assert.equal(await jobCount(), before);
    });
  }

  test('a full spec, even one naming no extra field, is refused: contributors run definitions only', async () => {
    const res = await f.call('contributor', 'POST', '/v1/jobs', { source });
    assert.equal(res.status, 403);
    assert.match((await errorOf(res)).message, /contributors may only run approved job definitions/);
  });

  test('nested extras are refused too, never dropped', async () => {
    for (const body of [
      { ...run, source: { ...source, strip: true } },
      { ...run, params: { TARGET: 1 } },
      { ...run, params: [['TARGET', 'x']] },
      { ...run, definition: { name: 'ci', version: 1, digest: '0'.repeat(64) } },
    ]) {
      const res = await f.call('contributor', 'POST', '/v1/jobs', body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });

  test('a viewer may not run a definition at all', async () => {
    assert.equal((await f.call('viewer', 'POST', '/v1/jobs', run)).status, 403);
  });
});

describe('params that try to steer the environment', () => {
  const names: Array<[string, number]> = [
    ['LD_PRELOAD', 403], ['ld_preload', 403], ['Ld_Preload', 403], ['LD_LIBRARY_PATH', 403], ['NODE_OPTIONS', 403],
    ['node_options', 403], ['BASH_ENV', 403], ['ENV', 403], ['PATH', 403], ['HOME', 403], ['PYTHONPATH', 403],
    ['PERL5OPT', 403], ['RUBYOPT', 403], ['GIT_SSH_COMMAND', 403], ['GIT_CONFIG_PARAMETERS', 403], ['npm_config_registry', 403],
    ['REACTORCIDE_JOB_CODE', 403], ['REACTORCIDE_COMMAND', 403], ['reactorcide_secret_names', 403], ['NPM_TOKEN', 422],
    ['LD_PR\u0415LOAD', 403], ['N\u041EDE_OPTIONS', 403], ['PATH\u200b', 403], ['FOO=1\nLD_PRELOAD', 403], ['TARGET\nPATH', 403],
    ['__proto__', 403], ['UNDECLARED', 422],
  ];
  for (const [name, status] of names) {
    test(`param name ${JSON.stringify(name)} → ${status}`, async () => {
      const before = await jobCount();
      const raw = JSON.stringify({ ...run, params: {} }).replace('"params":{}', `"params":{${JSON.stringify(name)}:"x"}`);
      const res = await f.call('contributor', 'POST', '/v1/jobs', raw);
      assert.equal(res.status, status);
      assert.equal((await errorOf(res)).field, `params.${name}`);
      assert.equal(await jobCount(), before);
    });
  }

  for (const value of ['unit\nLD_PRELOAD=/tmp/x.so', 'unit LD_PRELOAD=x', 'unit;id', '$(id)', '`id`', 'unit\0', 'UNIT', 'a'.repeat(11), '']) {
    test(`param value ${JSON.stringify(value)} → 422 naming the param`, async () => {
      const res = await f.call('contributor', 'POST', '/v1/jobs', { ...run, params: { TARGET: value } });
      assert.equal(res.status, 422);
      const err = await errorOf(res);
      assert.deepEqual([err.code, err.field], ['unprocessable', 'params.TARGET']);
    });
  }

  test('an accepted value is the env var of that name, and nothing else is set', async () => {
    const job = (await (await f.call('contributor', 'POST', '/v1/jobs', run)).json()) as Job;
    assert.deepEqual(job.spec.env, { TARGET: 'unit' });
    assert.deepEqual(job.spec.secrets, []);
  });
});

describe('sources that point at the server rather than the pull request', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a directory on the runner host', { kind: 'directory', path: '/etc' }, 'source.kind'],
    ['a file:// URL of the host', { kind: 'tarball', url: 'file:///etc/passwd', sha256: 'a'.repeat(64) }, 'source.url'],
    ['another bucket', { kind: 'tarball', url: 's3://secrets-bucket/dump.tgz', sha256: 'a'.repeat(64) }, 'source.url'],
    ['plain http', { kind: 'tarball', url: 'http://evil.example/pr.tgz', sha256: 'a'.repeat(64) }, 'source.url'],
    ['no digest', { kind: 'tarball', url: 'https://evil.example/pr.tgz' }, 'source.sha256'],
    ['an uploaded blob under another digest', { kind: 'tarball', url: '', sha256: 'b'.repeat(64) }, 'source.url'],
  ];
  for (const [what, src, field] of cases) {
    test(`${what} → 403 ${field}`, async () => {
      const s = (src as { url?: string }).url === '' ? { ...(src as object), url: source.url } : src;
      const res = await f.call('contributor', 'POST', '/v1/jobs', { ...run, source: s });
      assert.equal(res.status, 403);
      assert.equal((await errorOf(res)).field, field);
    });
  }
  test('an https URL of a host the operator did not allow → 403 naming the host and the setting', async () => {
    for (const url of ['https://github.example/pr.tgz', 'https://169.254.169.254/latest/meta-data', 'https://2130706433/pr.tgz', 'https://localhost/pr.tgz']) {
      const res = await f.call('contributor', 'POST', '/v1/jobs', { ...run, source: { kind: 'tarball', url, sha256: 'c'.repeat(64) } });
      assert.equal(res.status, 403, url);
      const error = await errorOf(res);
      assert.equal(error.field, 'source.url');
      assert.match(error.message, /^source\.url: host \S+ (is not one contributors may fetch from \(REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS|is an IP address|is this machine)/, url);
    }
  });
  test('an https URL of an allowed host, pinned by sha256, is accepted; userinfo in front of it is not', async () => {
    const app = createApp({ ...f.deps, settings: { ...f.deps.settings, contributorSourceHosts: ['github.example'] } });
    const submit = (url: string) =>
      app.request('/v1/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${f.tokens.contributor}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...run, source: { kind: 'tarball', url, sha256: 'c'.repeat(64) } }),
      });
    assert.equal((await submit('https://github.example/pr.tgz')).status, 201);
    const userinfo = await submit('https://github.example@10.0.0.1/pr.tgz');
    assert.equal(userinfo.status, 403);
    assert.match((await errorOf(userinfo)).message, /user name or password/);
  });
});

describe('definitions that are not approved for contributors', () => {
  test('pending, revoked, unknown, malformed and maintainers-only versions are refused', async () => {
    const base = { jobCode: { url: 'https://example.com/j.tgz', sha256: 'd'.repeat(64) }, caps: { timeout: 60 }, roles: ['contributor'] };
    const pending = await f.define({ ...base, name: 'pending' }, { approve: false });
    const revoked = await f.define({ ...base, name: 'revoked' });
    await f.call('maintainer', 'POST', `/v1/definitions/revoked/versions/${revoked.version}/revoke`);
    const mine = await f.define({ ...base, name: 'maintainers', roles: ['maintainer'] });
    const cases: Array<[string, number, RegExp]> = [
      [`pending@${pending.version}`, 403, /not approved/],
      [`revoked@${revoked.version}`, 403, /revoked/],
      [`maintainers@${mine.version}`, 403, /may not be run by role contributor/],
      ['ci@99', 404, /no job definition/],
      ['ci@0', 400, /name@version/],
      ["ci@1' OR 1=1", 400, /name@version/],
      ['CI@1', 400, /name@version/],
    ];
    for (const [definition, status, message] of cases) {
      const res = await f.call('contributor', 'POST', '/v1/jobs', { definition, source, params: {} });
      assert.equal(res.status, status, definition);
      assert.match((await errorOf(res)).message, message, definition);
    }
  });

  test('a contributor cannot write, approve or revoke a definition', async () => {
    const body = { name: 'mine', jobCode: { url: 'https://evil.example/j.tgz', sha256: 'e'.repeat(64) }, caps: { timeout: 60 }, roles: ['contributor'] };
    assert.equal((await f.call('contributor', 'POST', '/v1/definitions', body)).status, 403);
    assert.equal((await f.call('contributor', 'POST', `/v1/definitions/${run.definition.replace('@', '/versions/')}/revoke`)).status, 403);
  });
});

describe("other people's jobs", () => {
  test('another contributor’s job is not there: status, logs and cancel are 404; one’s own are not', async () => {
    const mine = (await (await f.call('contributor', 'POST', '/v1/jobs', run)).json()) as Job;
    for (const [method, suffix] of [['GET', ''], ['GET', '/logs'], ['POST', '/cancel']] as const) {
      const res = await f.app.request(`/v1/jobs/${mine.id}${suffix}`, { method, headers: { authorization: `Bearer ${secondContributor}` } });
      assert.equal(res.status, 404, `${method} ${suffix}`);
    }
    assert.equal((await f.call('contributor', 'GET', `/v1/jobs/${mine.id}`)).status, 200);
    assert.equal((await f.call('contributor', 'GET', `/v1/jobs/${mine.id}/logs`)).status, 200);
    const cancelled = await f.call('contributor', 'POST', `/v1/jobs/${mine.id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(((await cancelled.json()) as Job).state, 'cancelled');
    // A maintainer's job stayed as it was.
    assert.equal(((await (await f.call('admin', 'GET', `/v1/jobs/${other}`)).json()) as Job).state, otherJob.state);
  });
});
