/**
 * The client against the real API app on a real socket (Postgres behind it), and against tiny
 * HTTP servers that misbehave on purpose: 503 first, a connection cut mid-stream, no server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { LogRecord } from '../core/log-record.ts';
import { createApiFixture, minimalSpec, type ApiFixture } from '../functions/test-support/api-fixture.ts';
import { ClientError, createClient } from './index.ts';

let f: ApiFixture;
let server: ServerType;
let url: string;
before(async () => {
  f = await createApiFixture();
  server = serve({ fetch: f.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await f.close();
});

const rec = (text: string): LogRecord => ({ ts: new Date().toISOString(), stream: 'stdout', phase: 'run', text });

/** A plain node:http server for fault injection; `handle` sees the request number from 1. */
async function faulty(handle: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0;
  const s: Server = createServer((req, res) => handle(++n, req, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    hits: () => n,
    close: () => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); }),
  };
}

test('submit, get, list, cancel: typed answers; the API error comes back as a ClientError', async () => {
  const c = createClient({ server: url, token: f.tokens.maintainer });
  const job = await c.submitJob({ ...minimalSpec, name: 'client-a', labels: { team: 'x' } } as never);
  assert.equal(job.state, 'queued');
  assert.equal((await c.getJob(job.id)).name, 'client-a');
  const page = await c.listJobs({ label: 'team=x', state: ['queued'] });
  assert.deepEqual(page.jobs.map((j) => j.id), [job.id]);
  const cancelled = await c.cancelJob(job.id);
  assert.equal(cancelled.state, 'cancelled');
  await assert.rejects(c.cancelJob(job.id), (e: unknown) => e instanceof ClientError && e.code === 'conflict' && e.status === 409);
  await assert.rejects(
    c.submitJob({ source: { kind: 'tarball', url: 'ftp://x' } }),
    (e: unknown) => e instanceof ClientError && e.code === 'invalid_input' && e.field !== undefined && /source/.test(e.field),
  );
  const viewer = createClient({ server: url, token: f.tokens.viewer });
  await assert.rejects(viewer.submitJob(minimalSpec as never), (e: unknown) => e instanceof ClientError && e.code === 'forbidden');
  const nobody = createClient({ server: url });
  await assert.rejects(nobody.getJob(job.id), (e: unknown) => e instanceof ClientError && e.code === 'unauthorized');
  await assert.rejects(c.getJob('00000000-0000-4000-8000-000000000001'), (e: unknown) => e instanceof ClientError && e.code === 'not_found');
});

test('an idempotency key makes a repeated submit one job; without one each call is new', async () => {
  const c = createClient({ server: url, token: f.tokens.maintainer });
  const a = await c.submitJob(minimalSpec as never, { idempotencyKey: 'client-test-key' });
  const b = await c.submitJob(minimalSpec as never, { idempotencyKey: 'client-test-key' });
  assert.equal(a.id, b.id);
  assert.notEqual((await c.submitJob(minimalSpec as never)).id, (await c.submitJob(minimalSpec as never)).id);
});

test('listAllJobs walks every page', async () => {
  const c = createClient({ server: url, token: f.tokens.maintainer });
  for (let i = 0; i < 5; i++) await c.submitJob({ ...minimalSpec, name: 'paged' } as never);
  const ids: string[] = [];
  for await (const j of c.listAllJobs({ name: 'paged', limit: 2 })) ids.push(j.id);
  assert.equal(ids.length, 5);
  assert.equal(new Set(ids).size, 5);
});

test('logs: text with the next offset, records, and a follow that ends with the job; waitFor sees the end', async () => {
  const c = createClient({ server: url, token: f.tokens.viewer });
  const id = (await createClient({ server: url, token: f.tokens.maintainer }).submitJob(minimalSpec as never)).id;
  await f.deps.logs.append(id, [rec('one\n'), rec('two\n')]);
  assert.deepEqual(await c.readLogs(id), { text: 'one\ntwo\n', nextOffset: 2 });
  assert.deepEqual((await c.readLogRecords(id, { offset: 1 })).records.map((r) => r.text), ['two\n']);
  await f.deps.jobs.transition(id, { to: 'running' });
  const seen: string[] = [];
  const following = (async () => {
    for await (const r of c.followLogs(id)) {
      seen.push(r.text);
      if (r.text === 'two\n') {
        await f.deps.logs.append(id, [rec('three\n')]);
        await f.deps.jobs.transition(id, { to: 'failed', exitCode: 3 });
      }
    }
  })();
  const end = await c.waitFor(id, { pollMs: 20 });
  await following;
  assert.equal(end.state, 'failed');
  assert.equal(end.exitCode, 3);
  assert.deepEqual(seen, ['one\n', 'two\n', 'three\n']);
});

test('waitFor gives up with a timeout error when asked to', async () => {
  const c = createClient({ server: url, token: f.tokens.maintainer });
  const id = (await c.submitJob(minimalSpec as never)).id;
  await assert.rejects(c.waitFor(id, { pollMs: 10, timeoutMs: 50 }), (e: unknown) => e instanceof ClientError && e.code === 'timeout');
});

test('tokens: an admin creates one that works, and revokes it', async () => {
  const admin = createClient({ server: url, token: f.tokens.admin });
  const created = await admin.createToken({ name: 'ci', role: 'viewer' });
  assert.match(created.token, /^rct_/);
  const c = createClient({ server: url, token: created.token });
  assert.ok(Array.isArray((await c.listJobs({ limit: 1 })).jobs));
  await admin.revokeToken(created.id);
});

test('uploadBlob: bytes in memory are resent after a 503 (this fixture has no object store)', async () => {
  const c = createClient({ server: url, token: f.tokens.maintainer, retries: 1, retryDelayMs: 1 });
  await assert.rejects(c.uploadBlob(new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof ClientError && e.code === 'unavailable' && e.status === 503);
});

test('a GET and a submit are retried after 503 and succeed; a cancel is not retried', async () => {
  const s = await faulty((n, _req, res) => {
    if (n === 1) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"starting"}}');
    } else if (n === 2) {
      res.writeHead(502).end('bad gateway');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"j","state":"queued"}');
    }
  });
  try {
    const c = createClient({ server: s.url, token: 't', retryDelayMs: 1 });
    assert.equal((await c.getJob('j')).state, 'queued');
    assert.equal(s.hits(), 3);
    const keys: string[] = [];
    const s2 = await faulty((n, req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      if (n === 1) req.socket.destroy();
      else res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"j2","state":"queued"}');
    });
    try {
      const job = await createClient({ server: s2.url, retryDelayMs: 1 }).submitJob(minimalSpec as never);
      assert.equal(job.id, 'j2');
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1], 'the retry carries the same Idempotency-Key');
    } finally {
      await s2.close();
    }
    const s3 = await faulty((_n, _req, res) => void res.writeHead(503).end());
    try {
      await assert.rejects(createClient({ server: s3.url, retryDelayMs: 1 }).cancelJob('j'), (e: unknown) => e instanceof ClientError && e.status === 503);
      assert.equal(s3.hits(), 1);
      await assert.rejects(createClient({ server: s3.url, retryDelayMs: 1, retries: 2 }).getJob('j'), (e: unknown) => e instanceof ClientError && e.code === 'unavailable');
      assert.equal(s3.hits(), 4);
    } finally {
      await s3.close();
    }
  } finally {
    await s.close();
  }
});

test('no server: a network error naming the address; a hung server: a timeout', async () => {
  const s = await faulty(() => undefined);
  const port = new URL(s.url).port;
  try {
    await assert.rejects(createClient({ server: s.url, timeoutMs: 100, retries: 0 }).getJob('j'), (e: unknown) => e instanceof ClientError && e.code === 'timeout');
  } finally {
    await s.close();
  }
  await assert.rejects(createClient({ server: `http://127.0.0.1:${port}`, retries: 1, retryDelayMs: 1 }).getJob('j'), (e: unknown) => {
    assert.ok(e instanceof ClientError && e.code === 'network', String(e));
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    return true;
  });
  assert.throws(() => createClient({ server: 'localhost:7007' }), /http:\/\//);
});

test('followLogs resumes after the connection is cut mid-stream, from the next offset', async () => {
  const offsets: string[] = [];
  const line = (o: number) => JSON.stringify({ ts: 't', stream: 'stdout', phase: 'run', text: `r${o}\n`, offset: o }) + '\n';
  const s = await faulty((n, req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname.endsWith('/logs')) {
      offsets.push(u.searchParams.get('offset') ?? '');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (u.searchParams.get('follow') !== 'true') return void res.end();
      if (u.searchParams.get('offset') === '0') {
        res.write(line(0) + line(1));
        setTimeout(() => req.socket.destroy(), 20);
      } else {
        res.end(line(2));
      }
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j', state: n > 0 ? 'succeeded' : 'running' }));
  });
  try {
    const texts: string[] = [];
    for await (const r of createClient({ server: s.url }).followLogs('j')) texts.push(r.text);
    assert.deepEqual(texts, ['r0\n', 'r1\n', 'r2\n']);
    assert.deepEqual(offsets, ['0', '2', '3']);
  } finally {
    await s.close();
  }
});
