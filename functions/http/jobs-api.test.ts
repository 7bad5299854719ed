import { after, before } from 'node:test';
import { createApiFixture, type ApiFixture } from '../test-support/api-fixture.ts';
import { jobsApiSuite } from '../test-support/jobs-api-suite.ts';

let f: ApiFixture;
before(async () => {
  f = await createApiFixture();
});
after(() => f.close());

jobsApiSuite('postgres', () => f);
