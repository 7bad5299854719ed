/**
 * A Kubernetes run outlives its dispatcher. `reactorcide dispatcher` runs as a process of its own
 * against the fake Kubernetes API server (adapters/kubernetes/test-support) and real Postgres; it
 * is killed (SIGKILL) or stopped (SIGTERM) mid-run, and a second dispatcher takes the job over:
 * it reattaches to the same Kubernetes Job — never a second one — and the job's log holds every
 * record once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createTestDatabase, type TestDatabase } from '../../adapters/postgres/test-support/test-database.ts';
import { startFakeApiServer, type FakeApiServer } from '../../adapters/kubernetes/test-support/fake-api-server.ts';
import type { Job } from '../../core/job.ts';
import { isTerminal } from '../../core/job-state.ts';
import { createPgDispatchStore } from '../../adapters/postgres/dispatch-store.ts';
import { createPgTaskQueue } from '../../adapters/pgqueue/index.ts';
import { createKubernetesExecutor, loadKubeConfig, parseKubernetesConfig } from '../../adapters/kubernetes/index.ts';
import { silentLogger } from '../deps.ts';
import { startDispatcher } from './dispatcher.ts';
import { parseDispatcherConfig } from '../compose/dispatcher-config.ts';
import { startConfiguredDispatcher } from '../compose/start-dispatcher.ts';
import { JobSpecSchema } from '../schemas/job-spec-schema.ts';
import { scriptedRunner } from '../../adapters/kubernetes/test-support/scripted-runner.ts';

let api: FakeApiServer;
let database: TestDatabase;
before(async () => {
  api = await startFakeApiServer();
  database = await createTestDatabase();
});
after(async () => {
  await api.close();
  await database.drop();
});

const k8sEnv = (): Record<string, string> => ({
  REACTORCIDE_EXECUTOR: 'kubernetes',
  REACTORCIDE_K8S_NAMESPACE: 'ci',
  REACTORCIDE_K8S_RUNNER_IMAGE: 'reactorcide-runner:test',
  REACTORCIDE_K8S_KUBECONFIG: api.kubeconfigPath,
  REACTORCIDE_LEASE_SECONDS: '2',
});

async function startDispatcherProcess(): Promise<ChildProcess> {
  const repoRoot = new URL('../../', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'main.ts'), 'dispatcher'], {
    env: { ...process.env, ...k8sEnv(), DATABASE_URL: database.url, REACTORCIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-k8s-takeover-')) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/dispatcher \S+ running/.test(err)) resolve();
    });
    child.once('exit', () => reject(new Error(`dispatcher exited: ${err}`)));
  });
  return child;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stdoutOf = async (jobId: string): Promise<string[]> =>
  (await createPgLogStore(database.db).read(jobId, 0, 100_000)).records.filter((r) => r.stream === 'stdout').map((r) => r.text);
const kubeJobsOf = (jobId: string) => [...api.cluster.objects.jobs.values()].filter((j) => j.metadata.annotations['reactorcide.dev/job-id'] === jobId);

async function takeOverScenario(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const n = 200;
  const gate = { open: 60 };
  api.cluster.kubelet = scriptedRunner(n, gate);
  const jobs = createPgJobStore(database.db);
  const first = await startDispatcherProcess();
  let job: Job | undefined;
  try {
    job = (await jobs.submit({ spec: JobSpecSchema.parse({ source: { kind: 'directory', path: '/src' } }), submittedBy: null })).job;
    const id = job.id;
    await waitFor('the first records in the log store', async () => ((await stdoutOf(id)).length >= 30 ? true : undefined));
    first.kill(signal);
    await new Promise((r) => first.once('exit', r));
  } finally {
    first.kill('SIGKILL');
  }
  const id = job.id;
  assert.equal((await jobs.get(id))?.state, 'running', 'the job is neither lost nor ended while no dispatcher follows it');
  assert.equal(kubeJobsOf(id).length, 1);
  assert.deepEqual(api.cluster.deletions.filter((d) => d.kind === 'jobs' && d.name === kubeJobsOf(id)[0]?.metadata.name), [], 'the Kubernetes Job was not cancelled');

  const second = await startConfiguredDispatcher(parseDispatcherConfig(k8sEnv(), mkdtempSync(join(tmpdir(), 'rc-k8s-b-'))), database.db, {
    embedded: false,
    logger: silentLogger,
    env: k8sEnv(),
  });
  try {
    gate.open = n;
    const end = await waitFor('the job to end', async () => {
      const current = await jobs.get(id);
      return current && isTerminal(current.state) ? current : undefined;
    });
    assert.equal(end.state, 'succeeded', end.errorReason ?? '');
    assert.equal(end.attempt, 1);
    assert.deepEqual(end.previousAttempts, []);
    assert.equal(kubeJobsOf(id).length, 1, 'one Kubernetes Job: the run was followed, never started again');
    assert.deepEqual(await stdoutOf(id), Array.from({ length: n }, (_, i) => `record ${i}\n`), 'every record once, in order');
    const reattached = await database.db.manyOrNone<{ reason: string }>("SELECT reason FROM job_transitions WHERE job_id = $1 AND reason LIKE 'reattached by %'", [id]);
    assert.equal(reattached.length, 1);
  } finally {
    await second.stop();
  }
}

test('a dispatcher killed with SIGKILL mid-run: the next one reattaches to the running Kubernetes Job', async () => {
  await takeOverScenario('SIGKILL');
});

test('a dispatcher stopped with SIGTERM lets go of its Kubernetes run rather than cancel it; the next one reattaches', async () => {
  await takeOverScenario('SIGTERM');
});

test('a dispatcher stops a Kubernetes run of a job that has ended, and leaves runs of jobs it does not know alone', async () => {
  const gate = { open: 0 };
  api.cluster.kubelet = scriptedRunner(10, gate);
  const jobs = createPgJobStore(database.db);
  const config = parseKubernetesConfig(k8sEnv());
  const executor = createKubernetesExecutor({ config, kubeConfig: loadKubeConfig(config) });
  const spec = JobSpecSchema.parse({ source: { kind: 'directory', path: '/src' } });
  // An ended job whose run still goes on, and a run no job of this database knows.
  const ended = (await jobs.submit({ spec, submittedBy: null })).job;
  await jobs.transition(ended.id, { to: 'errored', errorReason: 'recorded while its run went on' });
  const stranger = '6f1c0d4e-0000-4000-8000-000000000000';
  const runs = [ended.id, stranger].map((jobId) =>
    executor.start({ jobId, source: { kind: 'directory', path: '/src' }, env: {}, secrets: {}, resources: {}, timeoutSeconds: 0, attempt: 1 }, { onRecords: async () => {} }),
  );
  await waitFor('both Kubernetes Jobs', async () => (kubeJobsOf(ended.id).length === 1 && kubeJobsOf(stranger).length === 1 ? true : undefined));
  for (const run of runs) run.detach?.();

  const queue = createPgTaskQueue({ db: database.db, wake: 'listen' });
  await queue.start();
  const dispatcher = startDispatcher(
    { jobs, logs: createPgLogStore(database.db), dispatch: createPgDispatchStore(database.db), queue, executor, logger: silentLogger },
    { queues: ['default'], maxRuns: 2, leaseSeconds: 2, relayIntervalMs: 50, cancelPollMs: 200, orphanGraceMs: 0 },
  );
  try {
    const name = kubeJobsOf(ended.id)[0]?.metadata.name as string;
    await waitFor('the orphan run to be deleted', async () => (api.cluster.deletions.some((d) => d.kind === 'jobs' && d.name === name) ? true : undefined));
    assert.equal(kubeJobsOf(stranger).length, 1);
    assert.deepEqual(api.cluster.deletions.filter((d) => d.kind === 'jobs' && d.name === kubeJobsOf(stranger)[0]?.metadata.name), []);
  } finally {
    gate.open = 10; // the stranger's pod ends, as its own installation would see to
    await dispatcher.stop();
    await queue.close();
    await Promise.all(runs.map((r) => r.done.catch(() => undefined)));
  }
});

test('a retried Kubernetes attempt runs as a new Job annotated with its attempt', async () => {
  let pods = 0;
  const success = scriptedRunner(3, { open: 3 });
  api.cluster.kubelet = (pod) => {
    pods++;
    if (pods === 1) setTimeout(() => pod.waiting('ErrImagePull', 'pull access denied for flaky/registry'), 20);
    else success(pod);
  };
  const jobs = createPgJobStore(database.db);
  const dispatcher = await startConfiguredDispatcher(parseDispatcherConfig(k8sEnv(), mkdtempSync(join(tmpdir(), 'rc-k8s-retry-'))), database.db, {
    embedded: false,
    logger: silentLogger,
    env: k8sEnv(),
  });
  try {
    const { job } = await jobs.submit({ spec: JobSpecSchema.parse({ source: { kind: 'directory', path: '/src' }, retry: { maxAttempts: 2, backoffSeconds: 0 } }), submittedBy: null });
    const end = await waitFor('the job to end', async () => {
      const current = await jobs.get(job.id);
      return current && isTerminal(current.state) ? current : undefined;
    });
    assert.equal(end.state, 'succeeded', end.errorReason ?? '');
    assert.deepEqual(end.previousAttempts.map((a) => [a.attempt, a.state]), [[1, 'errored']]);
    assert.match(end.previousAttempts[0]?.errorReason ?? '', /cannot be pulled \(ErrImagePull\)/);
    const byAttempt = new Map(kubeJobsOf(job.id).map((j) => [j.metadata.annotations['reactorcide.dev/attempt'] as string, j.metadata.name as string]));
    assert.ok(byAttempt.has('2'), 'attempt 2 ran as a Job of its own');
    const first = byAttempt.get('1');
    // Attempt 1's pod could never start: its Job is being deleted (foreground), or gone already.
    if (first !== undefined) assert.ok(api.cluster.deletions.some((d) => d.kind === 'jobs' && d.name === first));
  } finally {
    await dispatcher.stop();
  }
});
