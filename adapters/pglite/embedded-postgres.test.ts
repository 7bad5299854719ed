import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../postgres/database.ts';
import { createPgReadiness, migrate } from '../postgres/migrator.ts';
import { createPgTokenStore } from '../postgres/token-store.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

test('data survives a restart from the same data directory, and migrations are not re-applied', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rc-pglite-'));
  try {
    const first = await startEmbeddedPostgres({ dataDir });
    const db1 = openDatabase({ ...first.connection, maxConnections: 2 });
    assert.ok((await migrate(db1)).length > 0);
    const { token } = await createPgTokenStore(db1).create({ name: 'boot', role: 'admin', expiresAt: null, createdBy: null });
    await closeDatabase(db1);
    await first.close();

    const second = await startEmbeddedPostgres({ dataDir });
    const db2 = openDatabase({ ...second.connection, maxConnections: 2 });
    try {
      assert.deepEqual(await migrate(db2), []);
      const status = await createPgReadiness(db2).schemaStatus();
      assert.equal(status.applied, status.expected);
      assert.equal((await createPgTokenStore(db2).verify(token))?.role, 'admin');
    } finally {
      await closeDatabase(db2);
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A fresh in-memory embedded database and a pool of `connections` over it, closed after `use`. */
async function withEmbedded(connections: number, use: (db: Db) => Promise<void>): Promise<void> {
  const pg = await startEmbeddedPostgres();
  const db = openDatabase({ ...pg.connection, maxConnections: connections });
  try {
    await use(db);
  } finally {
    await closeDatabase(db);
    await pg.close();
  }
}

test('nothing listens: no TCP port and no socket file; the database is reached only in-process', async () => {
  const before = new Set(listeningInodes());
  await withEmbedded(2, async (db) => {
    assert.equal((await db.one<{ n: number }>('SELECT 1 AS n')).n, 1);
    // /proc/net lists every listening TCP and Unix socket on the machine; none is new and ours.
    const mine = new Set(ownSocketInodes());
    assert.deepEqual(listeningInodes().filter((inode) => !before.has(inode) && mine.has(inode)), []);
  });
});

test('connections share the one session a transaction at a time: nothing lands inside another connection\'s transaction', async () => {
  await withEmbedded(4, async (db) => {
    await db.none('CREATE TABLE t (n int)');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.tx(async (t) => {
      await t.none('INSERT INTO t VALUES (1)');
      await held;
      throw new Error('roll it back');
    });
    // Another connection's write waits for the transaction and so is not rolled back with it.
    await new Promise((r) => setTimeout(r, 20));
    const outside = db.none('INSERT INTO t VALUES (2)');
    await new Promise((r) => setTimeout(r, 20));
    release();
    await assert.rejects(tx, /roll it back/);
    await outside;
    assert.deepEqual((await db.any<{ n: number }>('SELECT n FROM t ORDER BY n')).map((r) => r.n), [2]);
  });
});

test('a connection that goes away in the middle of a transaction has it rolled back, and the others go on', async () => {
  await withEmbedded(2, async (db) => {
    await db.none('CREATE TABLE t (n int)');
    // A raw connection of the pool, dropped with its transaction open.
    const conn = await db.connect();
    await conn.none('BEGIN');
    await conn.none('INSERT INTO t VALUES (1)');
    await conn.done(true);
    assert.deepEqual(await db.any('SELECT n FROM t'), []);
    await db.none('INSERT INTO t VALUES (2)');
    assert.deepEqual((await db.any<{ n: number }>('SELECT n FROM t')).map((r) => r.n), [2]);
    // A bad statement is an error for its caller only.
    await assert.rejects(db.none('SELECT nope FROM t'), /nope/);
    assert.equal((await db.one<{ n: number }>('SELECT count(*)::int AS n FROM t')).n, 1);
  });
});

test('each connection keeps its own named prepared statements, and they are closed as it goes', async () => {
  await withEmbedded(4, async (db) => {
    // Two connections give one name to different statements, as two servers' connections could.
    const a = await db.connect();
    const b = await db.connect();
    try {
      const plusOne = { name: 'rc_same', text: 'SELECT $1::int + 1 AS n' };
      const timesTen = { name: 'rc_same', text: 'SELECT $1::int * 10 AS n' };
      for (let i = 0; i < 3; i++) {
        const [x, y] = await Promise.all([a.one<{ n: number }>({ ...plusOne, values: [i] }), b.one<{ n: number }>({ ...timesTen, values: [i] })]);
        assert.equal(x.n, i + 1);
        assert.equal(y.n, i * 10);
      }
      const names = async (): Promise<string[]> =>
        (await db.any<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE name LIKE '%rc\\_same' ORDER BY name`)).map((r) => r.name);
      assert.equal((await names()).length, 2);
      // A connection that goes away takes its statements with it; a new one prepares the name afresh.
      await a.done(true);
      await db.one('SELECT 1');
      assert.equal((await names()).length, 1);
      const c = await db.connect();
      try {
        assert.equal((await c.one<{ n: number }>({ ...plusOne, values: [41] })).n, 42);
        assert.equal((await b.one<{ n: number }>({ ...timesTen, values: [4] })).n, 40);
      } finally {
        await c.done();
      }
    } finally {
      await b.done();
    }
  });
});

/** Inodes of every listening socket (TCP, TCP6, Unix) on the machine. */
function listeningInodes(): string[] {
  const tcp = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) =>
    readFileSync(f, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((c) => c[3] === '0A').map((c) => c[9] ?? ''),
  );
  const unix = readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((c) => c[5] === '01' && c[3] === '00010000').map((c) => c[6] ?? '');
  return [...tcp, ...unix];
}

/** Inodes of the sockets this process holds open. */
function ownSocketInodes(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? ''];
    } catch {
      return [];
    }
  });
}
