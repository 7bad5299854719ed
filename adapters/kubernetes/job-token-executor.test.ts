import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecord } from '../../core/log-record.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { parseKubernetesConfig } from './config.ts';
import { createKubernetesExecutor, loadKubeConfig } from './kubernetes-executor.ts';
import { startFakeApiServer, type FakeApiServer } from './test-support/fake-api-server.ts';
import { realRunnerKubelet } from './test-support/real-runner-kubelet.ts';

let api: FakeApiServer;
before(async () => {
  api = await startFakeApiServer();
});
after(async () => {
  assert.deepEqual(api.invalid, []);
  await api.close();
});

test('in a pod the job gets the API URL and its token from the Secret, and what it prints shows the token masked', async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const config = parseKubernetesConfig({ REACTORCIDE_K8S_NAMESPACE: 'ci', REACTORCIDE_K8S_RUNNER_IMAGE: 'reactorcide-runner:test', REACTORCIDE_K8S_KUBECONFIG: api.kubeconfigPath });
  const token = 'rct_' + 'Zq9'.repeat(14) + 'x';
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo "api $REACTORCIDE_API_URL token $REACTORCIDE_JOB_TOKEN"; echo "$REACTORCIDE_JOB_TOKEN" >&2\n' });
  const records: LogRecord[] = [];
  const spec = { jobId: 'job-tok-1', source: { kind: 'directory' as const, path: dir }, env: {}, secrets: {}, resources: {}, timeoutSeconds: 0, api: { url: 'http://rc.reactorcide.svc:80', token } };
  const result = await createKubernetesExecutor({ config, kubeConfig: loadKubeConfig(config) }).start(spec, { onRecords: async (rs) => void records.push(...rs) }).done;
  const text = records.map((r) => r.text).join('');
  assert.equal(result.outcome, 'succeeded', `${result.reason}\n${text}`);
  assert.match(text, /api http:\/\/rc\.reactorcide\.svc:80 token \*\*\*REACTORCIDE_JOB_TOKEN\*\*\*/);
  assert.doesNotMatch(text, new RegExp(token));
  const job = [...api.cluster.objects.jobs.values()].find((j) => j.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId);
  assert.ok(job && !JSON.stringify(job).includes(token), 'the token is nowhere in the Job');
});
