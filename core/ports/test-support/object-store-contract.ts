import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { AppError } from '../../errors.ts';
import type { ObjectStore } from '../object-store.ts';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

async function bytes(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * What every ObjectStore must do, run against each adapter (and any stand-in) with the same
 * assertions. `store()` returns a store whose keys are fresh for each call.
 */
export function objectStoreContract(name: string, store: () => Promise<ObjectStore>): void {
  test(`${name}: put streams a body and reports its size and sha256`, async () => {
    const s = await store();
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const res = await s.put('blobs/a.bin', Readable.from([body.subarray(0, 1000), body.subarray(1000)]), {
      contentType: 'application/octet-stream',
    });
    assert.deepEqual(res, { key: 'blobs/a.bin', size: body.length, sha256: sha(body) });
    assert.ok((await bytes(await s.get('blobs/a.bin'))).equals(body));
    const info = await s.head('blobs/a.bin');
    assert.equal(info?.size, body.length);
    assert.equal(info?.sha256, sha(body));
    assert.equal(info?.contentType, 'application/octet-stream');
    assert.ok(info?.lastModified instanceof Date);
  });

  test(`${name}: put of a buffer, overwrite replaces the object`, async () => {
    const s = await store();
    await s.put('k', Buffer.from('first version'));
    const res = await s.put('k', new TextEncoder().encode('second'));
    assert.equal(res.sha256, sha('second'));
    assert.equal(await text(await s.get('k')), 'second');
    assert.equal((await s.head('k'))?.size, 6);
  });

  test(`${name}: get reads a byte range and past the end reads nothing`, async () => {
    const s = await store();
    await s.put('logs/job.txt', Buffer.from('0123456789'));
    assert.equal(await text(await s.get('logs/job.txt', { offset: 3 })), '3456789');
    assert.equal(await text(await s.get('logs/job.txt', { offset: 2, length: 4 })), '2345');
    assert.equal(await text(await s.get('logs/job.txt', { offset: 8, length: 100 })), '89');
    assert.equal(await text(await s.get('logs/job.txt', { offset: 10 })), '');
    assert.equal(await text(await s.get('logs/job.txt', { offset: 50 })), '');
    assert.equal(await text(await s.get('logs/job.txt', { offset: 0, length: 0 })), '');
    for (const bad of [{ offset: -1 }, { offset: 1.5 }, { length: -2 }]) {
      await assert.rejects(s.get('logs/job.txt', bad), (e: unknown) => e instanceof AppError && e.code === 'invalid_input');
    }
  });

  test(`${name}: missing keys are not_found on get, undefined on head, fine to delete`, async () => {
    const s = await store();
    await assert.rejects(s.get('nope/missing'), (e: unknown) => e instanceof AppError && e.code === 'not_found');
    assert.equal(await s.head('nope/missing'), undefined);
    await s.delete('nope/missing');
  });

  test(`${name}: delete removes the object`, async () => {
    const s = await store();
    await s.put('d/x', Buffer.from('x'));
    await s.delete('d/x');
    assert.equal(await s.head('d/x'), undefined);
    await assert.rejects(s.get('d/x'), (e: unknown) => e instanceof AppError && e.code === 'not_found');
    assert.deepEqual(await collect(s.list('d/')), []);
  });

  test(`${name}: list yields the keys under a prefix in order, with sizes`, async () => {
    const s = await store();
    for (const key of ['logs/2/b', 'logs/1/a', 'logs/10', 'logsx', 'other/logs/1', 'logs/1/c']) {
      await s.put(key, Buffer.from(key));
    }
    const all = await collect(s.list('logs/'));
    assert.deepEqual(all.map((o) => o.key), ['logs/1/a', 'logs/1/c', 'logs/10', 'logs/2/b']);
    assert.deepEqual(all.map((o) => o.size), [8, 8, 7, 8]);
    assert.deepEqual((await collect(s.list('logs/1'))).map((o) => o.key), ['logs/1/a', 'logs/1/c', 'logs/10']);
    assert.deepEqual((await collect(s.list('logs'))).map((o) => o.key).at(-1), 'logsx');
    assert.equal((await collect(s.list(''))).length, 6);
    assert.deepEqual(await collect(s.list('none/')), []);
  });

  test(`${name}: keys that could escape or be ambiguous are refused`, async () => {
    const s = await store();
    for (const key of ['', '/abs', '../up', 'a/../../b', 'a//b', 'a/./b', 'nul\0byte', 'back\\slash', 'trail/']) {
      await assert.rejects(s.put(key, Buffer.from('x')), (e: unknown) => e instanceof AppError && e.code === 'invalid_input', key);
      await assert.rejects(s.get(key), (e: unknown) => e instanceof AppError && e.code === 'invalid_input', key);
    }
    await assert.rejects(
      (async () => collect(s.list('../')))(),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_input',
    );
  });

  test(`${name}: a body that fails midway stores nothing`, async () => {
    const s = await store();
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(s.put('half/obj', failing));
    assert.equal(await s.head('half/obj'), undefined);
    assert.deepEqual(await collect(s.list('half/')), []);
  });

  test(`${name}: while a put streams, readers see the previous object whole`, async () => {
    const s = await store();
    const old = Buffer.alloc(100_000, 'o');
    await s.put('swap/obj', old);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let sent = 0;
    const slow = new Readable({
      read() {
        if (sent === 0) {
          sent++;
          this.push(Buffer.alloc(64 * 1024, 'n'));
        } else if (sent === 1) {
          sent++;
          void gate.then(() => {
            this.push(Buffer.alloc(64 * 1024, 'n'));
            this.push(null);
          });
        }
      },
    });
    const writing = s.put('swap/obj', slow);
    // Wait until the store has taken the first chunk and asked for more: the put is under way.
    while (sent < 2) await new Promise((r) => setImmediate(r));
    assert.ok((await bytes(await s.get('swap/obj'))).equals(old), 'old object, whole, while the new one streams');
    assert.equal((await s.head('swap/obj'))?.size, old.length);
    release();
    await writing;
    const now = await bytes(await s.get('swap/obj'));
    assert.equal(now.length, 128 * 1024);
    assert.ok(now.every((b) => b === 'n'.charCodeAt(0)));
  });

  test(`${name}: keys with spaces and unicode round-trip`, async () => {
    const s = await store();
    const key = 'weird/ä ü + %20 #?.txt';
    await s.put(key, Buffer.from('ok'));
    assert.equal(await text(await s.get(key)), 'ok');
    assert.deepEqual((await collect(s.list('weird/'))).map((o) => o.key), [key]);
  });
}
