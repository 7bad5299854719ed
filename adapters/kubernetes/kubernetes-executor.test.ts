import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecord } from '../../core/log-record.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { makeTree } from '../../runner/test-support/run-cli.ts';
import { parseKubernetesConfig } from './config.ts';
import { createKubernetesExecutor, loadKubeConfig } from './kubernetes-executor.ts';
import { startFakeApiServer, type FakeApiServer } from './test-support/fake-api-server.ts';
import { realRunnerKubelet } from './test-support/real-runner-kubelet.ts';
import { scriptedRunner } from './test-support/scripted-runner.ts';

let api: FakeApiServer;
before(async () => {
  api = await startFakeApiServer();
});
after(async () => {
  // The fake API server validates every Job and Secret it receives against the Kubernetes schemas.
  assert.deepEqual(api.invalid, []);
  await api.close();
});

function executor(env: Record<string, string> = {}) {
  const config = parseKubernetesConfig({ REACTORCIDE_K8S_NAMESPACE: 'ci', REACTORCIDE_K8S_RUNNER_IMAGE: 'reactorcide-runner:test', REACTORCIDE_K8S_KUBECONFIG: api.kubeconfigPath, ...env });
  return createKubernetesExecutor({ config, kubeConfig: loadKubeConfig(config) });
}

const newId = (): string => `job-${Math.random().toString(16).slice(2, 10)}`;
function specFor(dir: string, overrides: Partial<ExecutionSpec> = {}): ExecutionSpec {
  return { jobId: newId(), source: { kind: 'directory', path: dir }, env: {}, secrets: {}, resources: {}, timeoutSeconds: 0, ...overrides };
}
function collector() {
  const records: LogRecord[] = [];
  return { records, hooks: { onRecords: async (rs: readonly LogRecord[]) => void records.push(...rs) }, text: () => records.map((r) => r.text).join('') };
}
const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a job runs to success in a pod; secrets come from a Secret the Job owns, never plain env, and are masked', async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo "deploying with $DEPLOY_KEY"; seq 1 500 | sed "s/^/line /"\n' });
  const out = collector();
  const spec = specFor(dir, { secrets: { DEPLOY_KEY: 'dk_live_5f3c9a7e21b4' }, env: { GREETING: 'hi' } });
  const result = await executor().start(spec, out.hooks).done;
  assert.equal(result.outcome, 'succeeded', `${result.reason}\n${out.text()}`);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.phases.map((p) => p.phase), ['fetch_source', 'fetch_job_code', 'startup', 'environment', 'run', 'cleanup']);
  assert.match(out.text(), /deploying with \*\*\*DEPLOY_KEY\*\*\*/);
  assert.doesNotMatch(out.text(), /dk_live_5f3c9a7e21b4/);
  assert.deepEqual(out.text().split('\n').filter((l) => l.startsWith('line ')), Array.from({ length: 500 }, (_, i) => `line ${i + 1}`));

  const job = [...api.cluster.objects.jobs.values()].find((j) => j.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId);
  assert.ok(job);
  const secret = api.cluster.objects.secrets.get(`ci/${job.metadata.name}`);
  assert.deepEqual(secret?.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const env = job.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
  assert.ok(!JSON.stringify(job).includes('dk_live_5f3c9a7e21b4'), 'the secret value is nowhere in the Job');
  assert.deepEqual(env.find((e) => e.name === 'DEPLOY_KEY'), { name: 'DEPLOY_KEY', valueFrom: { secretKeyRef: { name: job.metadata.name, key: 'DEPLOY_KEY' } } });
  assert.equal(env.find((e) => e.name === 'GREETING')?.value, 'hi');
});

test("the job's failure and exit code come through", async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo failing; exit 4\n' });
  const out = collector();
  const result = await executor().start(specFor(dir), out.hooks).done;
  assert.equal(result.outcome, 'failed', out.text());
  assert.equal(result.exitCode, 4);
  assert.match(out.text(), /failing/);
});

test('an image that cannot be pulled is errored with the reason at once, and its Job is removed', async () => {
  api.cluster.kubelet = (pod) => setTimeout(() => {
    pod.waiting('ErrImagePull', 'pull access denied for nope/missing');
    setTimeout(() => pod.waiting('ImagePullBackOff', 'Back-off pulling image "nope/missing"'), 50);
  }, 20);
  const spec = specFor('/src', { image: 'nope/missing' });
  const result = await executor({ REACTORCIDE_K8S_PENDING_TIMEOUT_SECONDS: '600' }).start(spec, collector().hooks).done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /^image nope\/missing cannot be pulled \(ErrImagePull\): pull access denied/);
  assert.ok(api.cluster.deletions.some((d) => d.kind === 'jobs' && d.name.startsWith(`rc-${spec.jobId}`) && d.propagationPolicy === 'Foreground'));
});

test('a pod that cannot be scheduled is errored with the scheduler\'s reason after the pending timeout', async () => {
  api.cluster.kubelet = (pod) => setTimeout(() => pod.unschedulable('0/3 nodes are available: 3 Insufficient memory.'), 20);
  const result = await executor({ REACTORCIDE_K8S_PENDING_TIMEOUT_SECONDS: '1' }).start(specFor('/src', { resources: { memory: '512Gi' } }), collector().hooks).done;
  assert.equal(result.outcome, 'errored');
  assert.equal(result.reason, 'the pod did not start within 1 s: the pod cannot be scheduled (Unschedulable): 0/3 nodes are available: 3 Insufficient memory.');
});

test('cancel deletes the Job in the foreground; the runner runs cleanup and the run ends cancelled', async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
  const out = collector();
  const spec = specFor(dir);
  const execution = executor().start(spec, out.hooks);
  await waitFor(() => out.text().includes('started'), 'the job to start');
  execution.cancel();
  const result = await execution.done;
  assert.equal(result.outcome, 'cancelled', `${result.reason}\n${out.text()}`);
  assert.equal(result.phases.find((p) => p.phase === 'cleanup')?.outcome, 'succeeded');
  assert.ok(out.records.some((r) => r.stream === 'system' && r.text.includes('stopping the job')));
  assert.ok(api.cluster.deletions.some((d) => d.kind === 'jobs' && d.name.startsWith(`rc-${spec.jobId}`) && d.propagationPolicy === 'Foreground'));
  assert.equal([...api.cluster.objects.jobs.values()].some((j) => j.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId), false);
});

test('a Job deleted from outside (not by cancel) is errored, not cancelled', async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
  const out = collector();
  const spec = specFor(dir);
  const execution = executor().start(spec, out.hooks);
  await waitFor(() => out.text().includes('started'), 'the job to start');
  const job = [...api.cluster.objects.jobs.values()].find((j) => j.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId);
  api.cluster.deleteObject('jobs', 'ci', job?.metadata.name as string, 'Background');
  const result = await execution.done;
  assert.equal(result.outcome, 'errored', out.text());
  assert.equal(result.reason, 'the runner was stopped from outside: its Kubernetes Job or pod was deleted');
});

test('a run past its timeout is ended by activeDeadlineSeconds and is timed_out', async () => {
  api.cluster.kubelet = realRunnerKubelet();
  const dir = await makeTree({ 'reactorcide_job.sh': 'echo started; sleep 60\n' });
  const out = collector();
  const spec = specFor(dir, { timeoutSeconds: 4 });
  const result = await executor().start(spec, out.hooks).done;
  assert.equal(result.outcome, 'timed_out', `${result.reason}\n${out.text()}`);
  assert.match(out.text(), /started/);
  const job = api.cluster.events.find((e) => e.kind === 'jobs' && e.object.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId)?.object;
  assert.equal(job?.spec.activeDeadlineSeconds, 4);
});

const expected = (n: number): string[] => Array.from({ length: n }, (_, i) => `record ${i}\n`);

test('when watches and the log stream break mid-run, the executor resumes without losing or repeating a record', async () => {
  const gate = { open: 40 };
  api.cluster.kubelet = scriptedRunner(120, gate);
  const out = collector();
  const watchesBefore = api.watchRequests;
  const logsBefore = api.logRequests;
  const execution = executor().start(specFor('/src'), out.hooks);
  await waitFor(() => out.records.length >= 40, 'the first records');
  api.dropWatches();
  api.dropLogStreams();
  gate.open = 80;
  await waitFor(() => out.records.length >= 80, 'records after the drop');
  api.dropLogStreams();
  api.dropWatches();
  gate.open = 120;
  const result = await execution.done;
  assert.equal(result.outcome, 'succeeded', result.reason);
  assert.deepEqual(out.records.map((r) => r.text), expected(120));
  // Both watches reopened after the first drop; after the second the run may end before they do.
  assert.ok(api.watchRequests - watchesBefore >= 4, `watches reopened (${api.watchRequests - watchesBefore} requests)`);
  assert.ok(api.logRequests - logsBefore >= 3, `log stream reopened (${api.logRequests - logsBefore} requests)`);
});

test("a quick pod whose Job completes before the pods watch shows it running is still read to its summary", async () => {
  // Kubernetes sends Jobs and pods on two watches; here the pods one lags the Jobs one, so the
  // Job is seen Complete while its pod still looks pending.
  // The pod starts once the executor has listed it pending, and is done within ~50 ms.
  const quick = scriptedRunner(3, { open: 3 });
  api.cluster.kubelet = (pod) => void setTimeout(() => quick(pod), 300);
  api.watchLag.pods = 400;
  try {
    const out = collector();
    const result = await executor().start(specFor('/src'), out.hooks).done;
    assert.equal(result.outcome, 'succeeded', result.reason);
    assert.deepEqual(out.records.map((r) => r.text), expected(3));
  } finally {
    api.watchLag.pods = 0;
  }
});

test('after a dispatcher restart, a new executor reattaches by label and resumes after the last delivered record', async () => {
  const gate = { open: 50 };
  api.cluster.kubelet = scriptedRunner(150, gate);
  const first = collector();
  let alive = true;
  const spec = specFor('/src');
  // The first dispatcher delivers records until it "dies"; what it delivered is what the log store holds.
  void executor().start(spec, { onRecords: async (rs) => void (alive && first.records.push(...rs)) }).done.catch(() => {});
  await waitFor(() => first.records.length >= 50, 'the first dispatcher to deliver records');
  alive = false;
  const delivered = first.records.slice(0, 49); // cut inside a group of records sharing one ts
  const last = delivered[delivered.length - 1] as LogRecord;
  const resume = { ts: last.ts, count: delivered.filter((r) => r.ts === last.ts).length };
  assert.equal(resume.count, 1);

  const second = executor();
  assert.deepEqual(await second.listActive().then((ids) => ids.includes(spec.jobId)), true);
  assert.equal(await second.reattach('no-such-job', collector().hooks), null);
  const rest = collector();
  const execution = await second.reattach(spec.jobId, rest.hooks, resume);
  assert.ok(execution);
  gate.open = 150;
  const result = await execution.done;
  assert.equal(result.outcome, 'succeeded', result.reason);
  assert.deepEqual([...delivered, ...rest.records].map((r) => r.text), expected(150));
});

test('a resource request above the cap is errored before anything is created', async () => {
  const spec = specFor('/src', { resources: { cpu: '16' } });
  const result = await executor({ REACTORCIDE_K8S_MAX_CPU: '4' }).start(spec, collector().hooks).done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /resources\.cpu 16 is above the cluster's cap of 4/);
  assert.equal(api.cluster.events.some((e) => e.object.metadata.annotations?.['reactorcide.dev/job-id'] === spec.jobId), false);
});

test('a job that finished while no dispatcher watched is read to its end on reattach', async () => {
  api.cluster.kubelet = scriptedRunner(30, { open: 30 });
  const spec = specFor('/src');
  const first: LogRecord[] = [];
  void executor().start(spec, { onRecords: async (rs) => void (first.length < 10 && first.push(...rs.slice(0, 10 - first.length))) }).done.catch(() => {});
  const finished = (): boolean => [...api.cluster.objects.jobs.values()].some((j) => j.metadata.annotations['reactorcide.dev/job-id'] === spec.jobId && j.status.succeeded === 1);
  // The first dispatcher saw ten records before it went away; the Job then ran to its end.
  await waitFor(() => finished() && first.length >= 10, 'the Job to complete after ten records were seen');
  const last = first[first.length - 1] as LogRecord;
  const rest = collector();
  const execution = await executor().reattach(spec.jobId, rest.hooks, { ts: last.ts, count: first.filter((r) => r.ts === last.ts).length });
  const result = await execution?.done;
  assert.equal(result?.outcome, 'succeeded', result?.reason);
  assert.deepEqual([...first, ...rest.records].map((r) => r.text), expected(30));
});

test('a pod that goes away mid-run without a summary (eviction) is errored with what Kubernetes said', async () => {
  const gate = { open: 5 };
  api.cluster.kubelet = scriptedRunner(10, gate);
  const out = collector();
  const spec = specFor('/src');
  const execution = executor().start(spec, out.hooks);
  await waitFor(() => out.records.length >= 5, 'the first records');
  const pod = [...api.cluster.objects.pods.values()].find((p) => p.metadata.labels['reactorcide.dev/job-id'] === spec.jobId);
  api.cluster.deleteObject('pods', 'ci', pod?.metadata.name as string, undefined);
  const result = await execution.done;
  assert.equal(result.outcome, 'errored');
  assert.match(result.reason ?? '', /the runner exited with code 143 \(Error\) without a summary|the pod was deleted before the runner reported/);
});

test("reattach follows the asked attempt's Job, never an earlier attempt's; detach stops following but leaves the Job running", async () => {
  const jobId = newId();
  api.cluster.kubelet = scriptedRunner(5, { open: 5 });
  assert.equal((await executor().start(specFor('/src', { jobId, attempt: 1 }), collector().hooks).done).outcome, 'succeeded');
  // Attempt 1's Job is kept (TTL); attempt 2 has none yet: a reattach to attempt 2 finds nothing.
  assert.equal(await executor().reattach(jobId, collector().hooks, undefined, 2), null);

  const gate = { open: 10 };
  api.cluster.kubelet = scriptedRunner(40, gate);
  const before = collector();
  const execution = executor().start(specFor('/src', { jobId, attempt: 2 }), before.hooks);
  await waitFor(() => before.records.length >= 10, 'the first records of attempt 2');
  assert.ok(execution.detach);
  execution.detach();
  await execution.done;
  const second = [...api.cluster.objects.jobs.values()].find((j) => j.metadata.annotations['reactorcide.dev/job-id'] === jobId && j.metadata.annotations['reactorcide.dev/attempt'] === '2');
  assert.ok(second, "attempt 2's Job is still there");
  assert.deepEqual(api.cluster.deletions.filter((d) => d.name === second.metadata.name), [], 'detach deletes nothing');

  const last = before.records[before.records.length - 1] as LogRecord;
  const rest = collector();
  const resumed = await executor().reattach(jobId, rest.hooks, { ts: last.ts, count: before.records.filter((r) => r.ts === last.ts).length }, 2);
  assert.ok(resumed);
  gate.open = 40;
  assert.equal((await resumed.done).outcome, 'succeeded');
  assert.deepEqual([...before.records, ...rest.records].map((r) => r.text), expected(40));
});
