import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Where the database files live; omitted, the database is in memory and gone at exit. */
  readonly dataDir?: string;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Socket connections the server accepts; they are served one transaction at a time. */
  readonly maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** A `postgres://` URL for pg / pg-promise, so the same store code runs unchanged. */
  readonly connectionString: string;
  close(): Promise<void>;
}

/**
 * Postgres compiled to WASM (PGlite), served on a loopback socket by pglite-socket, so that the
 * pg-promise stores and the migrator run against it exactly as against a real server. It is one
 * Postgres session: connections take turns a transaction at a time, and NOTIFY does not cross
 * connections, so callers keep transactions short and never hold one across I/O.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 16,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const port = /:(\d+)$/.exec(server.getServerConn())?.[1];
  if (port === undefined) throw new Error(`pglite-socket reported no port: ${server.getServerConn()}`);
  return {
    connectionString: `postgres://postgres@${host}:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
