import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { parseKubernetesConfig } from './config.ts';
import { buildManifests, ownedBy } from './manifests.ts';
import { jobIdLabel, jobName } from './names.ts';
import { parseQuantity } from './quantity.ts';

const base: ExecutionSpec = { jobId: 'job-1', source: { kind: 'tarball', url: 'https://example.com/src.tar.gz', sha256: 'a'.repeat(64) }, env: { MODE: 'ci' }, secrets: {}, resources: {}, timeoutSeconds: 600 };
const fullConfig = parseKubernetesConfig({
  REACTORCIDE_K8S_NAMESPACE: 'ci-jobs',
  REACTORCIDE_K8S_RUNNER_IMAGE: 'registry.example/reactorcide-runner:0.1.0',
  REACTORCIDE_K8S_RUNNER_COMMAND: '["tini","--","reactorcide","run"]',
  REACTORCIDE_K8S_IMAGE_PULL_POLICY: 'IfNotPresent',
  REACTORCIDE_K8S_IMAGE_PULL_SECRETS: 'regcred,other',
  REACTORCIDE_K8S_SERVICE_ACCOUNT: 'job-runner',
  REACTORCIDE_K8S_NODE_SELECTOR: '{"pool":"ci"}',
  REACTORCIDE_K8S_TOLERATIONS: '[{"key":"ci","operator":"Exists","effect":"NoSchedule"}]',
  REACTORCIDE_K8S_SECRET_REFS: 'NPM_TOKEN=npm-credentials:token',
  REACTORCIDE_K8S_DEFAULT_CPU: '500m',
  REACTORCIDE_K8S_DEFAULT_MEMORY: '1Gi',
  REACTORCIDE_K8S_MAX_CPU: '4',
  REACTORCIDE_K8S_MAX_MEMORY: '8Gi',
  REACTORCIDE_K8S_WORKSPACE_SIZE_LIMIT: '20Gi',
});
const minimalConfig = parseKubernetesConfig({ REACTORCIDE_K8S_RUNNER_IMAGE: 'reactorcide-runner:0.1.0' });

const variants: [string, ExecutionSpec, ReturnType<typeof parseKubernetesConfig>][] = [
  ['minimal', { ...base, timeoutSeconds: 0, env: {} }, minimalConfig],
  ['every setting', { ...base, secrets: { DEPLOY_KEY: 'dk_live_5f3c9a7e21b4' }, resources: { cpu: '2', memory: '4Gi' }, command: ['make', 'test'], image: 'my/job-image:1' }, fullConfig],
  ['directory source, defaults', { ...base, source: { kind: 'directory', path: '/src' } }, fullConfig],
];

for (const [what, spec, config] of variants) {
  test(`the Job and Secret validate against the Kubernetes schemas (${what})`, () => {
    const { job, secret } = buildManifests(spec, config, { name: jobName(spec.jobId), runnerSettings: { REACTORCIDE_S3_ENDPOINT: 'http://minio:9000' } });
    new Job(job as ConstructorParameters<typeof Job>[0]).validate();
    if (secret) new Secret(ownedBy(secret, { name: 'x', uid: '0b1e7a55-8f7e-4a1b-9a3c-2f0a4c1d9e11' }) as ConstructorParameters<typeof Secret>[0]).validate();
    const pod = job.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(job.spec?.backoffLimit, 0);
    assert.equal(job.spec?.activeDeadlineSeconds, spec.timeoutSeconds || undefined);
    assert.equal(pod?.restartPolicy, 'Never');
    assert.equal(pod?.automountServiceAccountToken, config.serviceAccount !== undefined);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.deepEqual(container?.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(container?.volumeMounts?.map((m) => m.mountPath), ['/workspace', '/tmp']);
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(env.REACTORCIDE_STOP_ON_STDIN_END, 'false');
    assert.equal(env.REACTORCIDE_WORK_DIR, '/workspace/work');
    assert.equal(env.REACTORCIDE_S3_ENDPOINT, 'http://minio:9000');
    assert.equal(job.metadata?.labels?.['reactorcide.dev/job-id'], 'job-1');
    assert.ok(!JSON.stringify(job).includes('dk_live_5f3c9a7e21b4'));
  });
}

test('every setting reaches the pod spec', () => {
  const spec = { ...base, secrets: { DEPLOY_KEY: 'dk_live_5f3c9a7e21b4' } };
  const { job, secret } = buildManifests(spec, fullConfig, { name: 'rc-job-1-abc123' });
  const pod = job.spec?.template.spec;
  assert.equal(job.metadata?.namespace, 'ci-jobs');
  assert.equal(pod?.serviceAccountName, 'job-runner');
  assert.deepEqual(pod?.nodeSelector, { pool: 'ci' });
  assert.deepEqual(pod?.tolerations, [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.deepEqual(pod?.imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }]);
  assert.deepEqual(pod?.containers[0]?.command, ['tini', '--', 'reactorcide', 'run']);
  assert.deepEqual(pod?.containers[0]?.resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } });
  assert.deepEqual(pod?.volumes?.[0], { name: 'workspace', emptyDir: { sizeLimit: '20Gi' } });
  const env = pod?.containers[0]?.env ?? [];
  assert.deepEqual(env.find((e) => e.name === 'NPM_TOKEN')?.valueFrom, { secretKeyRef: { name: 'npm-credentials', key: 'token' } });
  assert.equal(env.find((e) => e.name === 'REACTORCIDE_SECRET_NAMES')?.value, 'DEPLOY_KEY,NPM_TOKEN');
  assert.deepEqual(secret?.data, { DEPLOY_KEY: Buffer.from('dk_live_5f3c9a7e21b4').toString('base64') });
});

test('a job env var may not steer the runner, and a request above the cap is refused', () => {
  assert.throws(() => buildManifests({ ...base, env: { REACTORCIDE_COMMAND: 'x' } }, minimalConfig, { name: 'n' }), /reserved/);
  assert.throws(() => buildManifests({ ...base, resources: { memory: '9Gi' } }, fullConfig, { name: 'n' }), /above the cluster's cap of 8Gi/);
  assert.throws(() => buildManifests({ ...base, resources: { memory: 'lots' } }, fullConfig, { name: 'n' }), /Kubernetes quantity/);
});

test('names and labels fit Kubernetes limits for any job id', () => {
  for (const id of ['job-1', 'A'.repeat(128), 'x.y_z-', '9-Job.With_UPPER']) {
    const name = jobName(id);
    assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(name.length <= 52, name);
    assert.match(jobIdLabel(id), /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  }
  assert.equal(jobIdLabel('job-1'), 'job-1');
  assert.equal(parseQuantity('500m', 'x'), 0.5);
  assert.equal(parseQuantity('1Gi', 'x'), 2 ** 30);
  assert.equal(parseQuantity('1e3', 'x'), 1000);
});

test('a wrong setting fails at start and names the setting', () => {
  assert.throws(() => parseKubernetesConfig({}), /REACTORCIDE_K8S_RUNNER_IMAGE/);
  const img = { REACTORCIDE_K8S_RUNNER_IMAGE: 'i' };
  assert.throws(() => parseKubernetesConfig({ ...img, REACTORCIDE_K8S_TOLERATIONS: '{"key":1}' }), /REACTORCIDE_K8S_TOLERATIONS/);
  assert.throws(() => parseKubernetesConfig({ ...img, REACTORCIDE_K8S_NODE_SELECTOR: '[1]' }), /REACTORCIDE_K8S_NODE_SELECTOR/);
  assert.throws(() => parseKubernetesConfig({ ...img, REACTORCIDE_K8S_MAX_CPU: 'four' }), /REACTORCIDE_K8S_MAX_CPU/);
  assert.throws(() => parseKubernetesConfig({ ...img, REACTORCIDE_K8S_SECRET_REFS: 'bad' }), /REACTORCIDE_K8S_SECRET_REFS/);
  assert.throws(() => parseKubernetesConfig({ ...img, REACTORCIDE_K8S_PENDING_TIMEOUT_SECONDS: '0' }), /REACTORCIDE_K8S_PENDING_TIMEOUT_SECONDS/);
  assert.ok(Object.isFrozen(parseKubernetesConfig(img)));
});
