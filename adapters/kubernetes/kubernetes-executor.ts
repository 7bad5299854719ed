/**
 * Runs each job's runner as a Kubernetes Job: creates the Job (and the per-job Secret it owns),
 * follows it to an ExecutionResult (job-run.ts), cancels by deleting it in the foreground, and
 * after a dispatcher restart finds a job's Job again by label and resumes its log where the log
 * store stopped. Nothing here holds state a restart would lose: the cluster is the state.
 */
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { coerceError } from '../../core/errors.ts';
import type { Execution, ExecutionHooks, ExecutionResult, ExecutionSpec, Executor, ResumePoint } from '../../core/ports/executor.ts';
import { SecretMasker } from '../../runner/masking/index.ts';
import { runSecrets } from '../../runner/job/api-env.ts';
import type { KubernetesConfig } from './config.ts';
import { fromKubeError, kubeStatusCode } from './kube-errors.ts';
import { JobRun } from './job-run.ts';
import { LogCursor } from './log-cursor.ts';
import { buildManifests, ownedBy } from './manifests.ts';
import { attemptAnnotation, jobIdAnnotation, jobName, managedSelector, selectorFor } from './names.ts';
import { jobFinished } from './pod-status.ts';

export interface KubernetesExecutorOptions {
  readonly config: KubernetesConfig;
  /** From `loadKubeConfig(config)`, or a test's kubeconfig. */
  readonly kubeConfig: KubeConfig;
  /** Operator-level runner settings every job gets (REACTORCIDE_S3_ENDPOINT, …). */
  readonly runnerSettings?: Readonly<Record<string, string>>;
  /** Where background errors go (a dropped watch, a failed delete); the run itself goes on. */
  readonly onError?: (err: unknown) => void;
}

export type KubernetesExecutor = Executor & Required<Pick<Executor, 'reattach' | 'listActive'>>;

/** The kubeconfig file named in the settings, else in-cluster or $KUBECONFIG, as kubectl finds it. */
export function loadKubeConfig(config: Pick<KubernetesConfig, 'kubeconfigPath'>): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfigPath) kc.loadFromFile(config.kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}

export function createKubernetesExecutor(options: KubernetesExecutorOptions): KubernetesExecutor {
  const { config, kubeConfig } = options;
  const namespace = config.namespace;
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const onError = options.onError ?? (() => {});
  const errored = (reason: string): ExecutionResult => ({ outcome: 'errored', exitCode: null, reason, phases: [] });

  const runFor = (jobId: string, job: V1Job, hooks: ExecutionHooks, masker: SecretMasker, cursor: LogCursor, timeoutSeconds?: number): JobRun =>
    new JobRun({
      kubeConfig,
      namespace,
      jobId,
      name: job.metadata?.name ?? '',
      uid: job.metadata?.uid ?? '',
      createdAt: job.metadata?.creationTimestamp ? new Date(job.metadata.creationTimestamp).getTime() : Date.now(),
      pendingTimeoutSeconds: config.pendingTimeoutSeconds,
      timeoutSeconds: timeoutSeconds ?? job.spec?.activeDeadlineSeconds,
      hooks,
      cursor,
      maskText: (t) => masker.maskText(t),
      onError,
    });

  function start(spec: ExecutionSpec, hooks: ExecutionHooks): Execution {
    const masker = new SecretMasker();
    for (const [name, value] of Object.entries(runSecrets(spec))) masker.add(name, value);
    let cancelled = false;
    let detached = false;
    let run: JobRun | undefined;
    const done = (async (): Promise<ExecutionResult> => {
      const name = jobName(spec.jobId);
      let manifests;
      try {
        manifests = buildManifests(spec, config, { name, ...(options.runnerSettings ? { runnerSettings: options.runnerSettings } : {}) });
      } catch (err) {
        return errored(masker.maskText(coerceError(err).message));
      }
      let job: V1Job;
      try {
        job = await batch.createNamespacedJob({ namespace, body: manifests.job });
      } catch (err) {
        return errored(masker.maskText(fromKubeError(err, 'could not create the Kubernetes Job').message));
      }
      run = runFor(spec.jobId, job, hooks, masker, new LogCursor(), spec.timeoutSeconds || undefined);
      if (manifests.secret) {
        try {
          await core.createNamespacedSecret({ namespace, body: ownedBy(manifests.secret, { name, uid: job.metadata?.uid ?? '' }) });
        } catch (err) {
          await run.deleteJob().catch(onError);
          if (cancelled) return { outcome: 'cancelled', exitCode: null, reason: 'cancelled before the runner started', phases: [] };
          return errored(masker.maskText(fromKubeError(err, "could not create the job's Secret").message));
        }
      }
      if (cancelled) run.cancel();
      // Let go only once the Job and its Secret exist: a pod waiting for a Secret never starts.
      else if (detached) run.detach();
      return run.observe();
    })();
    return {
      done,
      cancel() {
        cancelled = true;
        run?.cancel();
      },
      detach() {
        detached = true;
        run?.detach();
      },
    };
  }

  async function reattach(jobId: string, hooks: ExecutionHooks, resumeAfter?: ResumePoint, attempt?: number): Promise<Execution | null> {
    let jobs: V1Job[];
    try {
      jobs = (await batch.listNamespacedJob({ namespace, labelSelector: selectorFor(jobId) })).items;
    } catch (err) {
      throw fromKubeError(err, `could not list the Kubernetes Jobs of job ${jobId}`);
    }
    // A retried job may still have its earlier attempt's Job (kept for its TTL): follow the asked
    // attempt's (never an earlier attempt's result as this one's), else the newest.
    const job = jobs
      .filter((j) => j.metadata?.annotations?.[jobIdAnnotation] === jobId)
      .filter((j) => attempt === undefined || (j.metadata?.annotations?.[attemptAnnotation] ?? '1') === String(attempt))
      .sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
    if (!job?.metadata?.name) return null;
    const masker = new SecretMasker();
    try {
      const secret = await core.readNamespacedSecret({ name: job.metadata.name, namespace });
      for (const [k, v] of Object.entries(secret.data ?? {})) masker.add(k, Buffer.from(v, 'base64').toString('utf8'));
    } catch (err) {
      if (kubeStatusCode(err) !== 404) throw fromKubeError(err, `could not read the Secret of job ${jobId}`);
    }
    const run = runFor(jobId, job, hooks, masker, new LogCursor(resumeAfter));
    return { done: run.observe(), cancel: () => run.cancel(), detach: () => run.detach() };
  }

  async function listActive(): Promise<string[]> {
    try {
      const { items } = await batch.listNamespacedJob({ namespace, labelSelector: managedSelector });
      return items
        .filter((j) => !jobFinished(j) && !j.metadata?.deletionTimestamp)
        .map((j) => j.metadata?.annotations?.[jobIdAnnotation])
        .filter((id): id is string => id !== undefined);
    } catch (err) {
      throw fromKubeError(err, 'could not list the Kubernetes Jobs');
    }
  }

  return { start, reattach, listActive };
}
