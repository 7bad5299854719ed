import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { runnerEnv } from '../process/runner-env.ts';
import { parseKubernetesConfig } from './config.ts';
import { buildManifests } from './manifests.ts';

const token = 'rct_' + 'b'.repeat(43);
const spec: ExecutionSpec = {
  jobId: 'job-1',
  source: { kind: 'directory', path: '/src' },
  env: {},
  secrets: {},
  resources: {},
  timeoutSeconds: 60,
  api: { url: 'http://reactorcide-api.ci.svc:7007', token },
};

test('a local runner gets the API URL and its job token, named secret so the runner masks it', () => {
  const env = runnerEnv(spec, { workDir: '/w', inherit: {}, passThrough: [] });
  assert.equal(env.REACTORCIDE_API_URL, 'http://reactorcide-api.ci.svc:7007');
  assert.equal(env.REACTORCIDE_JOB_TOKEN, token);
  assert.equal(env.REACTORCIDE_SECRET_NAMES, 'REACTORCIDE_JOB_TOKEN');
  const none = runnerEnv({ ...spec, api: undefined, secrets: { DEPLOY_KEY: 'dk_123456' } }, { workDir: '/w', inherit: {}, passThrough: [] });
  assert.equal(none.REACTORCIDE_JOB_TOKEN, undefined);
  assert.equal(none.REACTORCIDE_SECRET_NAMES, 'DEPLOY_KEY');
});

test('in Kubernetes the job token is in the per-job Secret, never in the pod spec', () => {
  const config = parseKubernetesConfig({ REACTORCIDE_K8S_RUNNER_IMAGE: 'runner:1' });
  const { job, secret } = buildManifests(spec, config, { name: 'rc-job-1' });
  const env = job.spec?.template.spec?.containers[0]?.env ?? [];
  assert.doesNotMatch(JSON.stringify(job), new RegExp(token));
  assert.deepEqual(env.find((e) => e.name === 'REACTORCIDE_JOB_TOKEN')?.valueFrom, { secretKeyRef: { name: 'rc-job-1', key: 'REACTORCIDE_JOB_TOKEN' } });
  assert.equal(env.find((e) => e.name === 'REACTORCIDE_API_URL')?.value, 'http://reactorcide-api.ci.svc:7007');
  assert.equal(env.find((e) => e.name === 'REACTORCIDE_SECRET_NAMES')?.value, 'REACTORCIDE_JOB_TOKEN');
  assert.equal(Buffer.from(secret?.data?.REACTORCIDE_JOB_TOKEN ?? '', 'base64').toString(), token);
});
