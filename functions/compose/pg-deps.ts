import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createPgReadiness } from '../../adapters/postgres/migrator.ts';
import { createPgTokenStore } from '../../adapters/postgres/token-store.ts';
import type { Db } from '../../adapters/postgres/database.ts';
import type { ApiSettings, Deps, Logger } from '../deps.ts';

/** Every store over one pg-promise database: real Postgres, or PGlite through its socket. */
export function pgDeps(db: Db, settings: ApiSettings, logger: Logger): Deps {
  return {
    jobs: createPgJobStore(db),
    logs: createPgLogStore(db),
    tokens: createPgTokenStore(db),
    readiness: createPgReadiness(db),
    logger,
    settings,
  };
}
