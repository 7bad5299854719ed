import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from './body-limit.ts';

// A real Node server on loopback: the fast path depends on what @hono/node-server hands over.
const max = 1000;
const app = new Hono();
app.use('*', bodyLimit({ maxSize: max, onError: (c) => c.text('too large', 413) }));
app.all('*', async (c) => c.text(`${c.req.method} ${(await c.req.text()).length}`));

let server: ServerType;
let base: string;
before(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      base = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const chunked = (size: number, parts: number): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (let i = 0; i < parts; i++) controller.enqueue(new Uint8Array(size / parts).fill(120));
      controller.close();
    },
  });

async function send(init: RequestInit): Promise<[number, string]> {
  const res = await fetch(base, init);
  return [res.status, await res.text()];
}

test('a declared length over the limit is refused; at the limit it passes whole', async () => {
  assert.deepEqual(await send({ method: 'POST', body: 'x'.repeat(max + 1) }), [413, 'too large']);
  assert.deepEqual(await send({ method: 'POST', body: 'x'.repeat(max) }), [200, `POST ${max}`]);
});

test('a chunked body (no declared length) is counted as it arrives', async () => {
  const stream = (size: number) => ({ method: 'POST', body: chunked(size, 4), duplex: 'half' }) as RequestInit;
  assert.deepEqual(await send(stream(max * 4)), [413, 'too large']);
  assert.deepEqual(await send(stream(max)), [200, `POST ${max}`]);
});

test('a GET has no body to limit', async () => {
  assert.deepEqual(await send({ method: 'GET' }), [200, 'GET 0']);
});

test('a runtime that builds requests without Content-Length still gets the limit', async () => {
  const req = new Request('http://api.test/', { method: 'POST', body: 'x'.repeat(max + 1) });
  assert.equal(req.headers.get('content-length'), null);
  assert.equal((await app.fetch(req)).status, 413);
  const under = await app.request('/', { method: 'PUT', body: 'x'.repeat(max) });
  assert.equal(await under.text(), `PUT ${max}`);
});
