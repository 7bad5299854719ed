import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMaxChildrenPerJob } from '../../core/job-token-policy.ts';
import { parseServerConfig } from './config.ts';

test('REACTORCIDE_MAX_CHILDREN_PER_JOB: default, a set value, 0, and a bad value named in the error', () => {
  assert.equal(parseServerConfig({}).maxChildrenPerJob, defaultMaxChildrenPerJob);
  assert.equal(parseServerConfig({ REACTORCIDE_MAX_CHILDREN_PER_JOB: '50' }).maxChildrenPerJob, 50);
  assert.equal(parseServerConfig({ REACTORCIDE_MAX_CHILDREN_PER_JOB: '0' }).maxChildrenPerJob, 0);
  for (const bad of ['-1', '2.5', 'many']) {
    assert.throws(() => parseServerConfig({ REACTORCIDE_MAX_CHILDREN_PER_JOB: bad }), /REACTORCIDE_MAX_CHILDREN_PER_JOB must be an integer from 0 to 1000000/);
  }
});
