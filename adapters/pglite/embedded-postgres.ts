import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { InProcessSocket } from './in-process-socket.ts';
import { SharedSession } from './shared-session.ts';

export interface EmbeddedPostgresOptions {
  /** Where the database files live; omitted, the database is in memory and gone at exit. */
  readonly dataDir?: string;
}

/** What `openDatabase` needs to reach the embedded database: spread it into its options. */
export interface EmbeddedConnection {
  /** Names the user and database only; nothing listens at any address. */
  readonly connectionString: string;
  /** node-postgres's socket factory: each pool connection gets an in-process socket. */
  readonly stream: () => InProcessSocket;
}

export interface EmbeddedPostgres {
  readonly connection: EmbeddedConnection;
  close(): Promise<void>;
}

/**
 * Postgres compiled to WASM (PGlite), reached in-process through node-postgres's own socket
 * option, so that the pg-promise stores and the migrator run against it exactly as against a
 * real server — the same SQL, the same wire protocol. It is one Postgres session: connections
 * take turns a transaction at a time, and NOTIFY does not cross connections, so callers keep
 * transactions short and never hold one across I/O.
 *
 * Nothing listens: no TCP port and no Unix socket, so no other process — the jobs it runs among
 * them — can reach a database that takes no password; and a round trip costs no system call.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const session = new SharedSession(db);
  return {
    connection: { connectionString: 'postgres://postgres@embedded/postgres', stream: () => new InProcessSocket(session) },
    close: () => db.close(),
  };
}
