import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { AppError } from '../../core/errors.ts';
import { fetchArchive } from './fetch-archive.ts';
import type { FetchOptions } from './fetch-options.ts';
import { makeSandbox, makeTar, sha256, type Sandbox } from './test-support/tarballs.ts';

// Faults are injected with msw in front of the global fetch the fetcher uses.
const server = setupServer();
before(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
after(() => server.close());

const url = 'https://code.example.test/repo.tgz';
const fast: FetchOptions = { retries: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, idleTimeoutMs: 10_000 };
// Only the tests about stalls use a short idle timeout, so a busy machine cannot fake a stall elsewhere.
const stalling: FetchOptions = { ...fast, idleTimeoutMs: 300 };
let archive: Buffer;
before(async () => {
  const members = Array.from({ length: 40 }, (_, i) => ({ header: { name: `repo/f${i}.txt` }, body: `file ${i}\n`.repeat(2000) }));
  archive = await makeTar(members, { gzip: true });
});

/** Serves `responses[n]` for the n-th request (the last one repeats) and counts requests. */
function sequence(...responses: (() => Response | Promise<Response>)[]): { count: () => number } {
  let n = 0;
  server.use(
    http.get(url, () => {
      const r = responses[Math.min(n, responses.length - 1)]!;
      n++;
      return r();
    }),
  );
  return { count: () => n };
}

const ok = (): Response => new HttpResponse(archive, { status: 200 });
/** Sends the first half of the archive, then fails (like a reset socket) or goes silent. */
const half = (end: 'reset' | 'stall') => (): Response => {
  let pulls = 0;
  return new HttpResponse(
    new ReadableStream({
      async pull(controller) {
        if (pulls++ === 0) return controller.enqueue(archive.subarray(0, archive.length >> 1));
        // Let the first half reach the reader before the socket "breaks".
        await delay(20);
        if (end === 'reset') controller.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        else await new Promise(() => {});
      },
    }),
    { status: 200 },
  );
};

async function withBox(fn: (box: Sandbox) => Promise<void>): Promise<void> {
  const box = await makeSandbox();
  try {
    await fn(box);
  } finally {
    await box.cleanup();
  }
}

async function assertComplete(box: Sandbox): Promise<void> {
  assert.equal(await readFile(join(box.dest, 'repo/f39.txt'), 'utf8'), 'file 39\n'.repeat(2000));
  assert.equal((await readdir(join(box.dest, 'repo'))).length, 40);
  assert.deepEqual(await readdir(box.work), ['src'], 'no staging left from failed attempts');
}

test('500 on every attempt: gives up as unavailable after the configured attempts, nothing left', () =>
  withBox(async (box) => {
    const s = sequence(() => new HttpResponse(null, { status: 500 }));
    await assert.rejects(fetchArchive(url, box.dest, { ...fast, retries: { ...fast.retries, attempts: 3 } }), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'unavailable' && /HTTP 500/.test(e.message), String(e));
      return true;
    });
    assert.equal(s.count(), 3);
    assert.deepEqual(await readdir(box.work), []);
  }));

test('503, then 429, then success', () =>
  withBox(async (box) => {
    const s = sequence(() => new HttpResponse(null, { status: 503 }), () => new HttpResponse(null, { status: 429 }), ok);
    const res = await fetchArchive(url, box.dest, { ...fast, sha256: sha256(archive) });
    assert.equal(res.attempts, 3);
    assert.equal(s.count(), 3);
    await assertComplete(box);
  }));

test('a connection reset before the response is retried', () =>
  withBox(async (box) => {
    sequence(() => HttpResponse.error(), ok);
    assert.equal((await fetchArchive(url, box.dest, fast)).attempts, 2);
    await assertComplete(box);
  }));

test('a reset halfway through the body restarts the download cleanly', () =>
  withBox(async (box) => {
    const progress: { attempt: number; bytes: number }[] = [];
    sequence(half('reset'), ok);
    const res = await fetchArchive(url, box.dest, { ...fast, sha256: sha256(archive), onProgress: (p) => progress.push(p) });
    assert.equal(res.attempts, 2);
    assert.equal(res.bytes, archive.length);
    assert.ok(progress.some((p) => p.attempt === 1 && p.bytes > 0), 'the first attempt did receive bytes');
    await assertComplete(box);
  }));

test('a response that never starts times out and is retried', () =>
  withBox(async (box) => {
    sequence(async () => {
      await delay(3000);
      return ok();
    }, ok);
    assert.ok((await fetchArchive(url, box.dest, stalling)).attempts >= 2);
    await assertComplete(box);
  }));

test('a body that stalls halfway times out and is retried', () =>
  withBox(async (box) => {
    sequence(half('stall'), ok);
    assert.ok((await fetchArchive(url, box.dest, stalling)).attempts >= 2);
    await assertComplete(box);
  }));

test('a stall on every attempt ends as unavailable naming the timeout', () =>
  withBox(async (box) => {
    sequence(half('stall'));
    await assert.rejects(fetchArchive(url, box.dest, { ...stalling, retries: { ...fast.retries, attempts: 2 } }), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'unavailable' && /no data .* for 300 ms/.test(e.message), String(e));
      return true;
    });
    assert.deepEqual(await readdir(box.work), []);
  }));

test('4xx and digest mismatches are not retried', () =>
  withBox(async (box) => {
    const notFound = sequence(() => new HttpResponse(null, { status: 404 }));
    await assert.rejects(fetchArchive(url, box.dest, fast), (e: unknown) => e instanceof AppError && e.code === 'not_found');
    assert.equal(notFound.count(), 1);
    server.resetHandlers();
    const served = sequence(ok);
    await assert.rejects(fetchArchive(url, box.dest, { ...fast, sha256: '0'.repeat(64) }), /sha256 mismatch/);
    assert.equal(served.count(), 1);
    assert.deepEqual(await readdir(box.work), []);
  }));

test('an https redirect to plain http is refused; credentials go in a header and never into messages', () =>
  withBox(async (box) => {
    server.use(http.get('https://code.example.test/moved', () => HttpResponse.redirect('http://code.example.test/repo.tgz', 302)));
    await assert.rejects(fetchArchive('https://code.example.test/moved', box.dest, fast), /redirects to a refused URL/);
    let auth: string | null = null;
    server.use(
      http.get('https://code.example.test/private.tgz', ({ request }) => {
        auth = request.headers.get('authorization');
        return new HttpResponse(null, { status: 403 });
      }),
    );
    await assert.rejects(fetchArchive('https://bob:hunter2@code.example.test/private.tgz?sig=abc', box.dest, fast), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === 'forbidden', String(e));
      assert.doesNotMatch(e.message, /hunter2|bob|sig=abc/);
      return true;
    });
    assert.equal(auth, `Basic ${Buffer.from('bob:hunter2').toString('base64')}`);
  }));

test('a host on the internet cannot redirect the runner into its own network (SSRF): IPs, localhost, internal names', () =>
  withBox(async (box) => {
    const internal = [
      'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'https://127.0.0.1/admin',
      'https://2130706433/admin',
      'https://0x7f.1/admin',
      'https://[::1]/admin',
      'https://[::ffff:10.0.0.1]/x',
      'https://10.1.2.3/x.tgz',
      'https://localhost/x.tgz',
      'https://api.localhost/x.tgz',
      'https://metadata/computeMetadata/v1/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://kubernetes.default.svc/api',
      'https://vault.vault.svc.cluster.local/v1/secret',
      'https://printer.local/x.tgz',
    ];
    for (const [i, to] of internal.entries()) {
      // No handler answers the internal URL: a runner that followed would fail on another error.
      server.use(http.get(`https://code.example.test/bounce-${i}`, () => HttpResponse.redirect(`${to}?token=s3cret`, 302)));
      await assert.rejects(fetchArchive(`https://code.example.test/bounce-${i}`, box.dest, fast), (e: unknown) => {
        assert.ok(e instanceof AppError && e.code === 'invalid_input', `${to}: ${String(e)}`);
        assert.match(e.message, /redirects into the runner's own network/);
        assert.doesNotMatch(e.message, /s3cret/);
        return true;
      });
    }
    assert.deepEqual(await readdir(box.work), []);
  }));

test('credentials follow a redirect on the same origin but never to another one', () =>
  withBox(async (box) => {
    const seen: Record<string, string | null> = {};
    server.use(
      http.get('https://code.example.test/same', () => HttpResponse.redirect('https://code.example.test/other-host-next', 302)),
      http.get('https://code.example.test/other-host-next', ({ request }) => {
        seen['same'] = request.headers.get('authorization');
        return HttpResponse.redirect('https://cdn.example.test/blob.tgz', 302);
      }),
      http.get('https://cdn.example.test/blob.tgz', ({ request }) => {
        seen['cdn'] = request.headers.get('authorization');
        return new HttpResponse(archive, { status: 200 });
      }),
    );
    await fetchArchive('https://bob:pw@code.example.test/same', box.dest, fast);
    assert.equal(seen['same'], `Basic ${Buffer.from('bob:pw').toString('base64')}`);
    assert.equal(seen['cdn'], null);
    await assertComplete(box);
  }));
