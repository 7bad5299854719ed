import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createApiFixture, minimalSpec, type ApiFixture } from '../test-support/api-fixture.ts';

// Thousands of malformed requests: none may be a 500, and no response may carry a stack trace.
let f: ApiFixture;
before(async () => {
  f = await createApiFixture();
});
after(() => f.close());

const stackLike = /\n\s+at |\(\/[^)]*:\d+:\d+\)|node_modules|\.ts:\d+|SELECT |INSERT /;

async function checkResponse(res: Response, what: string): Promise<void> {
  const text = await res.text();
  assert.ok(res.status < 500, `${what} → ${res.status} ${text}`);
  assert.doesNotMatch(text, stackLike, what);
  if (res.status >= 400) {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof body.error?.code, 'string', what);
    assert.equal(typeof body.error?.message, 'string', what);
  }
}

/** Requests the Fetch API itself refuses to build (bad header bytes, bad URLs) never reach the app. */
function tryRequest(url: string, init: RequestInit): Request | null {
  try {
    return new Request(new URL(url, 'http://localhost').href, init);
  } catch {
    return null;
  }
}

async function send(path: string, init: RequestInit): Promise<void> {
  const req = tryRequest(path, init);
  if (req === null) return;
  await checkResponse(await f.app.request(req), `${init.method ?? 'GET'} ${path} ${String(init.body ?? '').slice(0, 200)}`);
}

const adminJson = () => ({ authorization: `Bearer ${f.tokens.admin}`, 'content-type': 'application/json' });
const anyJson = fc.jsonValue({ maxDepth: 4 });

const specLike = fc.record(
  {
    name: fc.oneof(fc.string(), anyJson),
    source: fc.oneof(
      anyJson,
      fc.record(
        {
          kind: fc.constantFrom('tarball', 'directory', 'git', ''),
          url: fc.oneof(fc.webUrl(), fc.string(), anyJson),
          path: fc.oneof(fc.string(), anyJson),
          sha256: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
    timeout: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    priority: fc.oneof(fc.integer(), fc.double(), fc.string()),
    queue: fc.oneof(fc.string(), anyJson),
    env: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), anyJson)), anyJson),
    labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyJson),
    secrets: fc.oneof(fc.array(fc.string()), anyJson),
    dependsOn: fc.oneof(fc.array(fc.record({ jobId: fc.oneof(fc.uuid(), fc.string()), states: anyJson }, { requiredKeys: [] })), anyJson),
    concurrency: fc.oneof(fc.record({ group: fc.string(), limit: fc.integer(), policy: fc.string() }, { requiredKeys: [] }), anyJson),
    retry: fc.oneof(fc.record({ maxAttempts: fc.integer(), backoffSeconds: fc.integer(), onFailed: anyJson }, { requiredKeys: [] }), anyJson),
    resources: fc.oneof(fc.record({ cpu: fc.string(), memory: fc.string() }, { requiredKeys: [] }), anyJson),
    command: fc.oneof(fc.array(fc.string()), anyJson),
  },
  { requiredKeys: [] },
);

test('arbitrary JSON and raw bytes as a job body', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyJson.map((v) => JSON.stringify(v)), fc.string({ unit: 'binary', maxLength: 300 })), async (body) => {
      await send('/v1/jobs', { method: 'POST', headers: adminJson(), body });
    }),
    { numRuns: 1500 },
  );
});

test('spec-shaped bodies with wrong types and values in every field', async () => {
  await fc.assert(
    fc.asyncProperty(specLike, async (spec) => {
      await send('/v1/jobs', { method: 'POST', headers: adminJson(), body: JSON.stringify(spec) });
    }),
    { numRuns: 2000 },
  );
});

test('arbitrary headers: authorization, content type, idempotency key', async () => {
  const header = fc.string({ unit: 'binary-ascii', maxLength: 120 });
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        authorization: fc.oneof(header, header.map((s) => `Bearer ${s}`), fc.constant(`Bearer ${'rct_'}${'x'.repeat(43)}`)),
        contentType: fc.oneof(header, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8')),
        key: header,
        useAdmin: fc.boolean(),
      }),
      async ({ authorization, contentType, key, useAdmin }) => {
        const headers = {
          authorization: useAdmin ? `Bearer ${f.tokens.admin}` : authorization,
          'content-type': contentType,
          'idempotency-key': key,
        };
        await send('/v1/jobs', { method: 'POST', headers, body: JSON.stringify(minimalSpec) });
      },
    ),
    { numRuns: 1000 },
  );
});

test('arbitrary paths, methods and query strings', async () => {
  const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), fc.constantFrom('..', '%', '%zz', '%00', 'cancel', 'logs'));
  const query = fc.dictionary(
    fc.constantFrom('state', 'label', 'name', 'limit', 'cursor', 'createdAfter', 'createdBefore', 'offset', 'follow', 'format', 'x'),
    fc.string({ maxLength: 40 }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'),
      fc.constantFrom('/v1/jobs', '/v1/jobs/', '/v1/tokens/', '/', '/v1/'),
      fc.array(segment, { maxLength: 3 }),
      query,
      async (method, base, segments, q) => {
        const path = base + segments.map((s) => (Math.random() < 0.5 ? encodeURIComponent(s) : s)).join('/');
        const search = new URLSearchParams(q).toString();
        await send(`${path}${search === '' ? '' : '?' + search}`, {
          method,
          headers: adminJson(),
          ...(method === 'GET' ? {} : { body: JSON.stringify({ name: 'x', role: 'viewer' }) }),
        });
      },
    ),
    { numRuns: 1500 },
  );
});
