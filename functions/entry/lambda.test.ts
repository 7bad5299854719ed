import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import { createTestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { createSecretCipher, parseMasterKeys } from '../../core/secret-cipher.ts';

// The real entry file, loaded in its own process the way Lambda loads it, fed API Gateway v2 events.
const root = new URL('../../', import.meta.url).pathname;

const event = (method: string, path: string, headers: Record<string, string>, body?: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers,
  requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r1', stage: '$default' },
  body,
  isBase64Encoded: false,
});

test('the Lambda handler serves the same API over API Gateway events', async () => {
  const t = await createTestDatabase();
  try {
    const { token } = await createPgTokenStore(t.db).create({ name: 'l', role: 'maintainer', expiresAt: null, createdBy: null });
    const events = [
      event('GET', '/readyz', {}),
      event('POST', '/v1/jobs', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ source: { kind: 'directory', path: '.' } })),
      event('GET', '/v1/jobs', {}),
    ];
    const script = `const { handler } = await import('./functions/entry/lambda.ts');
      const out = [];
      for (const e of ${JSON.stringify(events)}) out.push(await handler(e, {}));
      process.stdout.write(JSON.stringify(out));
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: t.url, REACTORCIDE_LOG_LEVEL: 'silent' },
    });
    assert.equal(r.status, 0, r.stderr);
    const [ready, submitted, anonymous] = JSON.parse(r.stdout) as { statusCode: number; body: string }[];
    assert.equal(ready?.statusCode, 200);
    assert.equal(submitted?.statusCode, 201);
    assert.equal((JSON.parse(submitted?.body ?? '{}') as { state: string }).state, 'queued');
    assert.equal(anonymous?.statusCode, 401);
  } finally {
    await t.drop();
  }
});

test('a container whose master key cannot open the stored secrets fails to start, naming the setting', async () => {
  const t = await createTestDatabase();
  try {
    const key = (fill: number) => `k1:${Buffer.alloc(32, fill).toString('base64')}`;
    await createPgSecretStore(t.db, createSecretCipher(parseMasterKeys(key(1), 'S'))).put('LAMBDA_SECRET', 'lambda-value', { tokenId: null });
    const load = (keys: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `await import('./functions/entry/lambda.ts'); process.exit(0);`], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: t.url, REACTORCIDE_LOG_LEVEL: 'silent', REACTORCIDE_SECRET_KEYS: keys },
      });
    const wrong = load(key(3));
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /REACTORCIDE_SECRET_KEYS: the configured key k1 does not decrypt/);
    assert.doesNotMatch(wrong.stderr, /lambda-value/);
    const right = load(key(1));
    assert.equal(right.status, 0, right.stderr);
  } finally {
    await t.drop();
  }
});
