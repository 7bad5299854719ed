/**
 * Follows one Kubernetes Job from creation (or from a restarted dispatcher's reattach) to an
 * ExecutionResult: watches the Job and its pod, follows the runner's log into the hooks once the
 * container starts, and decides the outcome — the runner's summary when there is one, `timed_out`
 * when the Job controller ended it at activeDeadlineSeconds, `errored` with Kubernetes' reason
 * when the pod never started (image pull, unschedulable past the pending timeout) or vanished.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { LogRecord } from '../../core/log-record.ts';
import type { ExecutionHooks, ExecutionResult } from '../../core/ports/executor.ts';
import type { RunSummary } from '../../core/run-summary.ts';
import { RecordBatcher } from '../process/record-batcher.ts';
import { kubeMessage, kubeStatusCode } from './kube-errors.ts';
import type { LogCursor } from './log-cursor.ts';
import { followLog } from './log-follower.ts';
import { ObjectWatch } from './object-watch.ts';
import { deadlineExceeded, jobFinished, viewPod, type PodView } from './pod-status.ts';
import { selectorFor } from './names.ts';

export interface JobRunContext {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly jobId: string;
  readonly name: string;
  readonly uid: string;
  /** When the Job was created: the pending timeout counts from here. */
  readonly createdAt: number;
  readonly pendingTimeoutSeconds: number;
  readonly timeoutSeconds: number | undefined;
  readonly hooks: ExecutionHooks;
  readonly cursor: LogCursor;
  readonly maskText: (text: string) => string;
  readonly onError: (err: unknown) => void;
}

export class JobRun {
  private cancelRequested = false;
  /** Set by `detach()`; ends `observe()` without touching the Job. */
  private letGo: (() => void) | undefined;
  private detachRequested = false;
  /** The Job's final condition (Complete, Failed) when it was seen. */
  private jobEnded: string | undefined;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(private readonly c: JobRunContext) {
    this.batch = c.kubeConfig.makeApiClient(BatchV1Api);
    this.core = c.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Delete the Job in the foreground: the pod gets SIGTERM and its grace, so cleanup runs. */
  cancel(): void {
    this.cancelRequested = true;
    this.deleteJob().catch(this.c.onError);
  }

  /**
   * Stop following the Job but leave it running (a dispatcher stopping gracefully): `observe()`
   * settles once the records read so far are handed on, and another dispatcher reattaches.
   */
  detach(): void {
    this.detachRequested = true;
    this.letGo?.();
  }

  async deleteJob(): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name: this.c.name, namespace: this.c.namespace, propagationPolicy: 'Foreground' });
    } catch (err) {
      if (kubeStatusCode(err) !== 404) throw err;
    }
  }

  async observe(): Promise<ExecutionResult> {
    const c = this.c;
    const abort = new AbortController();
    const batcher = new RecordBatcher((records: readonly LogRecord[]) => c.hooks.onRecords(records));
    let summary: RunSummary | undefined;
    let podName: string | undefined;
    let lastView: PodView | undefined;
    let podGone = false;
    let jobGone = false;
    let timedOut = false;
    let pendingReason: string | undefined;
    let follower: Promise<void> | undefined;
    let podsResync: 'pending' | 'done' | undefined;
    let wakeWaiters: (() => void)[] = [];
    let settle!: (r: { fatal?: string; ended?: 'follower' | 'job' | 'detached' }) => void;
    const settled = new Promise<{ fatal?: string; ended?: 'follower' | 'job' | 'detached' }>((r) => (settle = r));
    this.letGo = () => settle({ ended: 'detached' });
    if (this.detachRequested) this.letGo();

    const selector = selectorFor(c.jobId);
    const ns = c.namespace;
    const evaluate = (): void => {
      const waiters = wakeWaiters;
      wakeWaiters = [];
      for (const w of waiters) w();
      if (!jobs.synced || !pods.synced) return;
      const job = [...jobs.items.values()].find((j) => j.metadata?.uid === c.uid);
      jobGone = job === undefined;
      if (job && deadlineExceeded(job)) timedOut = true;
      if (job && jobFinished(job)) this.jobEnded = job.status?.conditions?.find((x) => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed'))?.type;
      const pod = [...pods.items.values()].find((p) => p.metadata?.ownerReferences?.some((o) => o.uid === c.uid));
      if (pod) {
        podName ??= pod.metadata?.name;
        lastView = viewPod(pod);
        if (lastView.kind === 'pending') pendingReason = lastView.reason ?? pendingReason;
      } else if (podName !== undefined) {
        podGone = true;
      }
      if (lastView?.kind === 'fatal' && follower === undefined) return settle({ fatal: lastView.reason });
      if ((lastView?.kind === 'running' || lastView?.kind === 'terminated') && follower === undefined && podName !== undefined) {
        follower = followLog({
          kubeConfig: c.kubeConfig,
          namespace: ns,
          podName,
          cursor: c.cursor,
          onRecord: (r) => batcher.push(r),
          onSummary: (s) => (summary = s),
          maskText: c.maskText,
          finished: () => lastView?.kind === 'terminated' || podGone || jobGone,
          changed: () => new Promise<void>((r) => wakeWaiters.push(r)),
          signal: abort.signal,
        }).then(() => settle({ ended: 'follower' }), (err: unknown) => (c.onError(err), settle({ ended: 'follower' })));
      }
      if (follower === undefined && (jobGone || (job !== undefined && jobFinished(job)))) {
        // Jobs and pods come on two watches, and the pods one may lag: a quick pod can run, end
        // and complete its Job before it is seen running. A finished pod's log is still there to
        // read, so a finished Job whose pod is not seen to have run has the pods listed afresh
        // first (which starts the follower above if the pod ran); only a view that is current
        // and still shows no run, or a Job or pod gone, ends the run without its log.
        if (jobGone || podGone || podsResync === 'done') settle({ ended: 'job' });
        else if (podsResync === undefined) {
          podsResync = 'pending';
          const resynced = (): void => ((podsResync = 'done'), evaluate());
          pods.resync().then(resynced, (err: unknown) => (c.onError(err), resynced()));
        }
      }
    };
    const onError = (err: unknown): void => c.onError(err);
    const jobs = new ObjectWatch<V1Job>({
      kubeConfig: c.kubeConfig,
      path: `/apis/batch/v1/namespaces/${ns}/jobs`,
      labelSelector: selector,
      list: () => this.batch.listNamespacedJob({ namespace: ns, labelSelector: selector }),
      onChange: evaluate,
      onError,
      signal: abort.signal,
    });
    const pods = new ObjectWatch<V1Pod>({
      kubeConfig: c.kubeConfig,
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector: selector,
      list: () => this.core.listNamespacedPod({ namespace: ns, labelSelector: selector }),
      onChange: evaluate,
      onError,
      signal: abort.signal,
    });
    const pendingLeft = Math.max(0, c.createdAt + c.pendingTimeoutSeconds * 1000 - Date.now());
    const pendingTimer = setTimeout(() => {
      if (follower === undefined && !this.cancelRequested) {
        settle({ fatal: `the pod did not start within ${c.pendingTimeoutSeconds} s: ${pendingReason ?? 'no reason given by Kubernetes'}` });
      }
    }, pendingLeft);

    const end = await settled;
    clearTimeout(pendingTimer);
    abort.abort();
    await Promise.all([jobs.stopped(), pods.stopped()]);
    if (end.ended === 'detached') {
      await follower;
      await batcher.drain();
      return { outcome: 'errored', exitCode: null, reason: 'detached: the Job runs on for another dispatcher to follow', phases: [] };
    }
    if (end.fatal !== undefined) {
      // A pod that will never start is removed rather than left pulling or pending.
      await this.deleteJob().catch(c.onError);
    } else if (!timedOut) {
      // The pod may vanish (deadline, eviction) before the watch shows the Job's final condition.
      timedOut = await this.readJob().then((j) => j !== undefined && deadlineExceeded(j), () => false);
    }
    await batcher.drain();
    return this.result({ end, summary, timedOut, view: lastView, podGone, jobGone });
  }

  private async readJob(): Promise<V1Job | undefined> {
    try {
      return await this.batch.readNamespacedJob({ name: this.c.name, namespace: this.c.namespace });
    } catch (err) {
      if (kubeStatusCode(err) === 404) return undefined;
      throw new Error(kubeMessage(err), { cause: err });
    }
  }

  private result(s: {
    end: { fatal?: string; ended?: string };
    summary: RunSummary | undefined;
    timedOut: boolean;
    view: PodView | undefined;
    podGone: boolean;
    jobGone: boolean;
  }): ExecutionResult {
    const phases = s.summary?.phases ?? [];
    const exitCode = s.summary?.exitCode ?? (s.view?.kind === 'terminated' ? s.view.exitCode : null);
    if (s.end.fatal !== undefined && !this.cancelRequested) return { outcome: 'errored', exitCode: null, reason: this.c.maskText(s.end.fatal), phases };
    if (s.timedOut) return { outcome: 'timed_out', exitCode, reason: `stopped after the ${this.c.timeoutSeconds ?? '?'} s timeout (activeDeadlineSeconds)`, phases };
    if (s.summary?.outcome === 'cancelled' && !this.cancelRequested) {
      // Nobody here asked to stop it: the Job or pod was deleted from outside (kubectl, eviction, a drained node).
      return { outcome: 'errored', exitCode: s.summary.exitCode, reason: 'the runner was stopped from outside: its Kubernetes Job or pod was deleted', phases };
    }
    if (s.summary) {
      const reason = s.summary.error ? `${s.summary.error.phase}: ${s.summary.error.message}` : undefined;
      return { outcome: s.summary.outcome, exitCode: s.summary.exitCode, ...(reason ? { reason } : {}), phases };
    }
    if (this.cancelRequested) return { outcome: 'cancelled', exitCode, reason: 'cancelled before the runner reported', phases };
    return { outcome: 'errored', exitCode, reason: this.c.maskText(this.endedWithoutSummary(s)), phases };
  }

  /** Why a run that was not cancelled ended without the runner's summary. */
  private endedWithoutSummary(s: { end: { ended?: string }; view: PodView | undefined; podGone: boolean; jobGone: boolean }): string {
    if (s.view?.kind === 'terminated') return `the runner exited with code ${s.view.exitCode}${s.view.reason ? ` (${s.view.reason})` : ''} without a summary`;
    if (s.podGone) return 'the pod was deleted before the runner reported';
    if (s.view === undefined && s.end.ended === 'job' && this.jobEnded) {
      return `the Kubernetes Job ended (${this.jobEnded}) while no dispatcher followed it, and its pod and log are gone`;
    }
    if (s.end.ended === 'job' && this.jobEnded) {
      return `the Kubernetes Job ended (${this.jobEnded}) but its pod was never seen to run (last seen ${s.view?.kind ?? 'nowhere'})`;
    }
    // The log was followed, but ended without the runner's summary: say which way.
    if (s.end.ended === 'follower') {
      return s.jobGone
        ? 'the Kubernetes Job was deleted while its pod ran, before the runner reported'
        : `the runner's log could not be read to its summary (the pod was ${s.view?.kind ?? 'not seen'})`;
    }
    return 'the Kubernetes Job was deleted before its pod ran';
  }
}
