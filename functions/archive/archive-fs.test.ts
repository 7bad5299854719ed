import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsObjectStore } from '../../adapters/fs/fs-object-store.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { archiveSuite } from './test-support/archive-suite.ts';
import { archiveFixture, type ArchiveFixture } from './test-support/archive-fixture.ts';

let t: TestDatabase;
let dir: string;
let f: ArchiveFixture;
before(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'rc-archive-fs-'));
  f = archiveFixture(t.db, createFsObjectStore({ root: dir }));
});
after(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

archiveSuite('fs', () => f);
