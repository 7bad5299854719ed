/**
 * What a Job and its pod say about the run, reduced to what the executor acts on. An image that
 * cannot be pulled will never start, so it is `fatal` at once (the dispatcher's retry decides
 * what next) instead of a job that sits in `starting`; a pod the scheduler cannot place stays
 * `pending` with the scheduler's reason, which becomes the error when the pending timeout ends.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { containerName } from './names.ts';

export type PodView =
  | { readonly kind: 'pending'; readonly reason: string | undefined }
  | { readonly kind: 'fatal'; readonly reason: string }
  | { readonly kind: 'running' }
  | { readonly kind: 'terminated'; readonly exitCode: number; readonly reason: string | undefined };

const neverStarts = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

export function viewPod(pod: V1Pod): PodView {
  const status = pod.status;
  const container = status?.containerStatuses?.find((c) => c.name === containerName);
  const terminated = container?.state?.terminated;
  if (terminated) {
    const why = [terminated.reason, terminated.message].filter(Boolean).join(': ');
    return { kind: 'terminated', exitCode: terminated.exitCode, reason: why || undefined };
  }
  if (container?.state?.running) return { kind: 'running' };
  const waiting = container?.state?.waiting;
  if (waiting?.reason && neverStarts.has(waiting.reason)) {
    const image = container?.image ?? pod.spec?.containers[0]?.image ?? 'the image';
    return { kind: 'fatal', reason: `image ${image} cannot be pulled (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}` };
  }
  if (status?.phase === 'Failed') {
    return { kind: 'fatal', reason: `the pod failed before the runner started${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}` };
  }
  const scheduled = status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return { kind: 'pending', reason: `the pod cannot be scheduled (${scheduled.reason ?? 'Unschedulable'})${scheduled.message ? `: ${scheduled.message}` : ''}` };
  }
  if (waiting?.reason) return { kind: 'pending', reason: `the container is waiting (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}` };
  return { kind: 'pending', reason: undefined };
}

/** Whether the Job controller ended the Job at its activeDeadlineSeconds. */
export function deadlineExceeded(job: V1Job): boolean {
  return job.status?.conditions?.some((c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True' && c.reason === 'DeadlineExceeded') ?? false;
}

export function jobFinished(job: V1Job): boolean {
  return job.status?.conditions?.some((c) => (c.type === 'Failed' || c.type === 'Complete') && c.status === 'True') ?? false;
}
