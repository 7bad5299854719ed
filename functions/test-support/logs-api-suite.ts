import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { LogRecord } from '../../core/log-record.ts';
import { minimalSpec, type ApiFixture } from './api-fixture.ts';

/** Logs as text and NDJSON, resumed by offset, followed over a real socket; run on both databases. */
export function logsApiSuite(label: string, fixture: () => ApiFixture): void {
  const rec = (text: string, stream: LogRecord['stream'] = 'stdout'): LogRecord => ({ ts: new Date().toISOString(), stream, phase: 'run', text });

  async function newJob(f: ApiFixture): Promise<string> {
    return ((await (await f.call('admin', 'POST', '/v1/jobs', minimalSpec)).json()) as { id: string }).id;
  }

  test(`${label}: logs as text and as NDJSON, resumable by offset`, async () => {
    const f = fixture();
    const id = await newJob(f);
    await f.deps.logs.append(id, [rec('hello '), rec('world\n'), rec('oops\n', 'stderr')]);
    const text = await f.call('viewer', 'GET', `/v1/jobs/${id}/logs`);
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await text.text(), 'hello world\noops\n');
    assert.equal(text.headers.get('x-next-offset'), '3');
    const nd = await f.call('viewer', 'GET', `/v1/jobs/${id}/logs?format=ndjson&offset=1`);
    const lines = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as { offset: number; stream: string; text: string });
    assert.deepEqual(lines.map((l) => [l.offset, l.stream, l.text]), [[1, 'stdout', 'world\n'], [2, 'stderr', 'oops\n']]);
    const past = await f.call('viewer', 'GET', `/v1/jobs/${id}/logs?offset=99`);
    assert.equal(await past.text(), '');
    assert.equal(past.headers.get('x-next-offset'), '99');
    assert.equal((await f.call('viewer', 'GET', '/v1/jobs/00000000-0000-4000-8000-00000000000c/logs')).status, 404);
    assert.equal((await f.call('viewer', 'GET', `/v1/jobs/${id}/logs?offset=-1`)).status, 400);
  });

  test(`${label}: follow over a real socket streams records as they arrive and ends when the job ends`, async () => {
    const f = fixture();
    const id = await newJob(f);
    await f.deps.logs.append(id, [rec('one\n')]);
    let server: ServerType | undefined;
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: f.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/jobs/${id}/logs?follow=true&format=ndjson`, {
        headers: { authorization: `Bearer ${f.tokens.viewer}` },
      });
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let got = '';
      const readUntil = async (needle: string) => {
        while (!got.includes(needle)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${needle}; got ${got}`);
          got += value;
        }
      };
      await readUntil('one');
      await f.deps.jobs.transition(id, { to: 'running' });
      await f.deps.logs.append(id, [rec('two\n')]);
      await readUntil('two');
      await f.deps.logs.append(id, [rec('three\n')]);
      await f.deps.jobs.transition(id, { to: 'succeeded', exitCode: 0 });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        got += value;
      }
      const offsets = got.trim().split('\n').map((l) => (JSON.parse(l) as { offset: number }).offset);
      assert.deepEqual(offsets, [0, 1, 2]);
    } finally {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    }
  });

  test(`${label}: follow on an ended job returns what is there and ends`, async () => {
    const f = fixture();
    const id = await newJob(f);
    await f.deps.logs.append(id, [rec('a'), rec('b')]);
    await f.deps.jobs.transition(id, { to: 'errored', errorReason: 'lost executor' });
    const res = await f.call('viewer', 'GET', `/v1/jobs/${id}/logs?follow=true`);
    assert.equal(await res.text(), 'ab');
  });
}
