import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import pgPromise from 'pg-promise';
import type { IDatabase, IMain } from 'pg-promise';
import type { IClient } from 'pg-promise/typescript/pg-subset.js';

/**
 * The one pg-promise root for the process. pg-promise wants a single `pgp` per process (it warns
 * about duplicates and shares its pools), so every store and the migrator get their database
 * from here.
 */
const pgp: IMain = pgPromise({ capSQL: true });

export type Db = IDatabase<object, IClient>;

export interface DatabaseOptions {
  readonly connectionString: string;
  /** A socket factory instead of a network connection: the embedded database (adapters/pglite). */
  readonly stream?: () => Duplex;
  /** Pool size; PGlite serves one transaction at a time, so a few connections are plenty there. */
  readonly maxConnections?: number;
  readonly applicationName?: string;
}

export function openDatabase(options: DatabaseOptions): Db {
  return pgp({
    connectionString: options.connectionString,
    // pg-promise's types name net.Socket; pg calls only a socket's stream methods and a few no-ops.
    ...(options.stream === undefined ? {} : { stream: options.stream as unknown as () => Socket }),
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'reactorcide',
    // A request should fail fast with 503 rather than wait forever on a dead database.
    connectionTimeoutMillis: 5_000,
  });
}

/** Ends the pool of this database only. */
export async function closeDatabase(db: Db): Promise<void> {
  await db.$pool.end();
}

export const as = pgp.as;
