import { createPgAuditLog } from '../../adapters/postgres/audit-log.ts';
import { createPgDefinitionStore } from '../../adapters/postgres/definition-store.ts';
import { createPgLogArchiveStore } from '../../adapters/postgres/log-archive-store.ts';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgJobWaits } from '../../adapters/postgres/job-waits.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createPgReadiness } from '../../adapters/postgres/migrator.ts';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import type { Db } from '../../adapters/postgres/database.ts';
import type { InlineEnqueue } from '../../adapters/postgres/inline-enqueue.ts';
import type { SecretCipher } from '../../core/secret-cipher.ts';
import type { ApiSettings, BlobStorage, Deps, Logger } from '../deps.ts';

/** Every store over one pg-promise database: real Postgres, or PGlite in this process. */
export function pgDeps(
  db: Db,
  settings: ApiSettings,
  logger: Logger,
  options: {
    readonly prepared: boolean;
    readonly storage?: BlobStorage;
    readonly secretCipher?: SecretCipher | null;
    /** The queue is in this database and every dispatcher uses it: submits enqueue themselves. */
    readonly inlineEnqueue?: InlineEnqueue;
  },
): Deps {
  return {
    archives: createPgLogArchiveStore(db),
    audit: createPgAuditLog(db),
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    ...(options.secretCipher ? { secrets: createPgSecretStore(db, options.secretCipher) } : {}),
    definitions: createPgDefinitionStore(db),
    jobs: createPgJobStore(db, options),
    waits: createPgJobWaits(db),
    logs: createPgLogStore(db, options),
    tokens: createPgTokenStore(db, options),
    readiness: createPgReadiness(db),
    logger,
    settings,
  };
}
