import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../core/job.ts';
import { approvalEnd } from './definition-approval.ts';

const job = (definition: Job['spec']['definition']): Job => ({ id: 'j1', attempt: 1, submittedBy: null, spec: { definition } }) as unknown as Job;

test('a run that did not need approval (a full spec, a maintainer run of a definition) is not checked', async () => {
  assert.equal(await approvalEnd(undefined, job(undefined)), null);
  assert.equal(await approvalEnd(undefined, job({ name: 'ci', version: 3, digest: 'a'.repeat(64) })), null);
});

test('a run that needed approval, on a dispatcher that cannot check it, ends errored rather than starting unchecked', async () => {
  const end = await approvalEnd(undefined, job({ name: 'ci', version: 3, digest: 'a'.repeat(64), requiresApproval: true }));
  assert.equal(end?.state, 'errored');
  assert.match(end?.errorReason ?? '', /cannot check the approval of ci@3/);
});
