import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../adapters/postgres/database.ts';
import type { Logger } from '../deps.ts';
import { buildApp, type BuildAppOptions } from './build-app.ts';
import type { ServerConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { openConfiguredDatabase } from './open-database.ts';
import { openSecretCipher, verifySecretKeys } from './open-secrets.ts';

export interface ApiServer {
  readonly url: string;
  readonly embedded: boolean;
  /** The server's database, for parts that share the process (the embedded dispatcher). */
  readonly db: Db;
  close(): Promise<void>;
}

/**
 * Opens the configured database (embedded PGlite with migrations applied when there is no
 * DATABASE_URL), builds the app and listens. `close` stops accepting, lets requests in flight
 * finish, then closes the database.
 */
export async function startApiServer(
  config: Readonly<ServerConfig>,
  logger: Logger = createLogger(config),
  options: BuildAppOptions = {},
): Promise<ApiServer> {
  const database = await openConfiguredDatabase(config);
  if (database.applied.length > 0) logger.info({ versions: database.applied }, 'migrations applied');
  let secretCipher;
  try {
    secretCipher = openSecretCipher(config, logger);
    if (secretCipher !== null) await verifySecretKeys(database.db, secretCipher);
  } catch (err) {
    await database.close();
    throw err;
  }
  const app = buildApp(config, database.db, logger, secretCipher, options);
  let server: ServerType | undefined;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, resolve);
    server.once('error', reject);
  }).catch(async (err: unknown) => {
    await database.close();
    throw err;
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, embedded: database.embedded, dataDir: database.embedded ? config.dataDir : undefined }, 'API listening');
  return {
    url,
    embedded: database.embedded,
    db: database.db,
    async close() {
      await new Promise<void>((resolve) => {
        if (server === undefined) return resolve();
        server.close(() => resolve());
        // Followers of live logs would hold the server open until their jobs end.
        if ('closeAllConnections' in server) setTimeout(() => (server as { closeAllConnections(): void }).closeAllConnections(), 5_000).unref();
      });
      await database.close();
    },
  };
}
