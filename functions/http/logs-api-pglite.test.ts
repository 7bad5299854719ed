import { after, before } from 'node:test';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';
import { logsApiSuite } from '../test-support/logs-api-suite.ts';

let f: ApiFixture;
before(async () => {
  f = await createApiFixture('pglite');
});
after(() => f.close());

logsApiSuite('pglite', () => f);
