import { after, before } from 'node:test';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';
import { jobsApiSuite } from '../test-support/jobs-api-suite.ts';

// The same API suite as jobs-api.test.ts, over embedded PGlite (reached in-process, through pg's own socket option).
let f: ApiFixture;
before(async () => {
  f = await createApiFixture('pglite');
});
after(() => f.close());

jobsApiSuite('pglite', () => f);
