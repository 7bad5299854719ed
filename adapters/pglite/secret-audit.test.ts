import { after, before } from 'node:test';
import { secretAuditContract } from '../postgres/test-support/secret-audit-contract.ts';
import { openMigratedPglite, type MigratedPglite } from './test-support/migrated-pglite.ts';

// The secret store and audit log on PGlite: the trigger and pgcrypto-free SQL must run there too.
let database: MigratedPglite;
before(async () => {
  database = await openMigratedPglite('rc-pglite-secrets-');
});
after(() => database.close());

secretAuditContract('pglite', () => database.db);
