import type { Db } from '../../adapters/postgres/database.ts';
import type { InlineEnqueue } from '../../adapters/postgres/inline-enqueue.ts';
import { createOutboxNotifier } from '../../adapters/postgres/outbox-notify.ts';
import type { Logger } from '../deps.ts';
import { createApp } from '../http/create-app.ts';
import { createApiMetrics } from '../http/metrics.ts';
import type { ServerConfig } from './config.ts';
import { cachedTokenStore } from './cached-token-store.ts';
import { openObjectStorage } from './object-storage.ts';
import { openSecretCipher } from './open-secrets.ts';
import { pgDeps } from './pg-deps.ts';
import { wakeOnOutboxWrites } from './wake-on-outbox-writes.ts';

export interface BuildAppOptions {
  /** Called after every outbox write, when a dispatcher runs in this process (`serve`); on a shared database a NOTIFY is sent too. */
  readonly onOutboxWrite?: () => void;
  /** Submits enqueue their tasks themselves (`serve` on the Postgres queue; see inline-queue.ts). */
  readonly inlineEnqueue?: InlineEnqueue;
}

/** The app over an opened database, with process metrics; shared by the Node and Lambda entries. */
export function buildApp(
  config: Readonly<ServerConfig>,
  db: Db,
  logger: Logger,
  secretCipher = openSecretCipher(config, logger),
  options: BuildAppOptions = {},
) {
  const { onOutboxWrite, inlineEnqueue } = options;
  const settings = {
    maxBodyBytes: config.maxBodyBytes,
    followPollMs: config.followPollMs,
    blobMaxBytes: config.blobMaxBytes,
    contributorSourceHosts: config.contributorSourceHosts,
    maxChildrenPerJob: config.maxChildrenPerJob,
  };
  const storage = openObjectStorage(config);
  const base = pgDeps(db, settings, logger, {
    prepared: true,
    storage,
    secretCipher,
    ...(inlineEnqueue ? { inlineEnqueue } : {}),
  });
  // Dispatchers elsewhere on a shared database hear of outbox writes by NOTIFY; one in this
  // process (`serve`) directly.
  const shared = config.databaseUrl !== null;
  const notify = shared
    ? createOutboxNotifier(db, (err) => logger.warn({ err }, 'outbox NOTIFY failed; dispatchers will see the job at their next poll'))
    : undefined;
  const wake = (): void => {
    onOutboxWrite?.();
    notify?.();
  };
  const deps = {
    ...base,
    tokens: cachedTokenStore(base.tokens, { ttlMs: config.tokenCacheMs }),
    ...(onOutboxWrite || shared ? { jobs: wakeOnOutboxWrites(base.jobs, wake, { inlineEnqueue: inlineEnqueue !== undefined }) } : {}),
  };
  return createApp(deps, { metrics: createApiMetrics({ processMetrics: true }) });
}
