import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDispatcherConfig } from './dispatcher-config.ts';

test('REACTORCIDE_JOB_API_URL: an http(s) URL (a trailing slash dropped), absent by default, anything else named at start', () => {
  assert.equal(parseDispatcherConfig({}, '/d').jobApiUrl, null);
  assert.equal(parseDispatcherConfig({ REACTORCIDE_JOB_API_URL: 'http://api.ci.svc:7007/' }, '/d').jobApiUrl, 'http://api.ci.svc:7007');
  assert.throws(() => parseDispatcherConfig({ REACTORCIDE_JOB_API_URL: 'api.ci.svc:7007' }, '/d'), /REACTORCIDE_JOB_API_URL must be an http:\/\/ or https:\/\/ URL/);
});
