import { after, before } from 'node:test';
import { secretAuditContract } from './test-support/secret-audit-contract.ts';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

secretAuditContract('postgres', () => t.db);
