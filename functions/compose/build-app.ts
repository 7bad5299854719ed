import type { Db } from '../../adapters/postgres/database.ts';
import type { Logger } from '../deps.ts';
import { createApp } from '../http/create-app.ts';
import { createApiMetrics } from '../http/metrics.ts';
import type { ServerConfig } from './config.ts';
import { cachedTokenStore } from './cached-token-store.ts';
import { openObjectStorage } from './object-storage.ts';
import { pgDeps } from './pg-deps.ts';

/** The app over an opened database, with process metrics; shared by the Node and Lambda entries. */
export function buildApp(config: Readonly<ServerConfig>, db: Db, logger: Logger) {
  const settings = { maxBodyBytes: config.maxBodyBytes, followPollMs: config.followPollMs, blobMaxBytes: config.blobMaxBytes };
  const storage = openObjectStorage(config);
  const base = pgDeps(db, settings, logger, { prepared: config.databaseUrl !== null, storage });
  const deps = { ...base, tokens: cachedTokenStore(base.tokens, { ttlMs: config.tokenCacheMs }) };
  return createApp(deps, { metrics: createApiMetrics({ processMetrics: true }) });
}
