import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Where the database files live; omitted, the database is in memory and gone at exit. */
  readonly dataDir?: string;
  /** Socket connections the server accepts; they are served one transaction at a time. */
  readonly maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** A `postgres://` URL for pg / pg-promise, so the same store code runs unchanged. */
  readonly connectionString: string;
  close(): Promise<void>;
}

/**
 * Postgres compiled to WASM (PGlite), served by pglite-socket, so that the pg-promise stores and
 * the migrator run against it exactly as against a real server. It is one Postgres session:
 * connections take turns a transaction at a time, and NOTIFY does not cross connections, so
 * callers keep transactions short and never hold one across I/O.
 *
 * It listens on a Unix socket in a directory of its own (mode 0700), not on a TCP port: the
 * database takes no password, and a loopback port would be open to every process and user on
 * the machine — the jobs it runs among them. A socket write also costs less CPU than a loopback
 * TCP one, and a job makes a dozen round trips.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  // mkdtemp makes the directory 0700; under the temp dir, the path stays well inside a socket
  // address's ~100 bytes wherever the data directory is.
  const socketDir = mkdtempSync(join(tmpdir(), 'reactorcide-pglite-'));
  const server = new PGLiteSocketServer({
    db,
    // libpq's naming, so a URL with the directory as its host finds it.
    path: join(socketDir, '.s.PGSQL.5432'),
    maxConnections: options.maxConnections ?? 16,
  });
  try {
    await server.start();
  } catch (err) {
    rmSync(socketDir, { recursive: true, force: true });
    await db.close();
    throw err;
  }
  return {
    connectionString: `postgres://postgres@${encodeURIComponent(socketDir)}/postgres`,
    async close() {
      await server.stop();
      rmSync(socketDir, { recursive: true, force: true });
      await db.close();
    },
  };
}
