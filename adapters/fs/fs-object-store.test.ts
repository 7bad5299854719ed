import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { objectStoreContract } from '../../core/ports/test-support/object-store-contract.ts';
import { createFsObjectStore } from './fs-object-store.ts';

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fs-object-store-'));
  roots.push(root);
  return root;
}
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

objectStoreContract('fs', async () => createFsObjectStore({ root: await freshRoot() }));

test('fs: objects are plain files under objects/ and no temp file outlives a put', async () => {
  const root = await freshRoot();
  const s = createFsObjectStore({ root });
  await s.put('a/b.txt', Buffer.from('hello'));
  assert.deepEqual(await readdir(join(root, 'objects', 'a')), ['b.txt']);
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('fs: a key used as a directory by another key is a conflict', async () => {
  const s = createFsObjectStore({ root: await freshRoot() });
  await s.put('a/b', Buffer.from('x'));
  await assert.rejects(s.put('a', Buffer.from('y')), (e: unknown) => e instanceof AppError && e.code === 'conflict');
  await s.put('c', Buffer.from('x'));
  await assert.rejects(s.put('c/d', Buffer.from('y')), (e: unknown) => e instanceof AppError && e.code === 'conflict');
  assert.equal(await s.head('c/d'), undefined);
});
