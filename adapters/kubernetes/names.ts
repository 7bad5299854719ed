/**
 * How a job id becomes Kubernetes names and labels. Job ids allow up to 128 characters and
 * upper case; object names and label values do not, so both are derived, deterministically for
 * the label (a restarted dispatcher finds a job's Job by it) and with a random tail for the name
 * (a retried job gets a new Job while the last attempt's may still be kept for its TTL).
 */
import { createHash, randomBytes } from 'node:crypto';

export const labels = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  jobId: 'reactorcide.dev/job-id',
} as const;
export const jobIdAnnotation = 'reactorcide.dev/job-id';
/** Which attempt of the job a Job runs (absent on Jobs made before retries: attempt 1). */
export const attemptAnnotation = 'reactorcide.dev/attempt';
export const managedBy = 'reactorcide';
export const containerName = 'runner';

const labelValuePattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The job id itself when it is a valid label value, else a digest of it. */
export function jobIdLabel(jobId: string): string {
  if (labelValuePattern.test(jobId)) return jobId;
  return `h-${createHash('sha256').update(jobId).digest('hex').slice(0, 40)}`;
}

export function selectorFor(jobId: string): string {
  return `${labels.managedBy}=${managedBy},${labels.jobId}=${jobIdLabel(jobId)}`;
}

export const managedSelector = `${labels.managedBy}=${managedBy}`;

/** `rc-<slug>-<random>`, at most 52 characters so the pod names Kubernetes derives stay under 63. */
export function jobName(jobId: string, random: string = randomBytes(3).toString('hex')): string {
  const slug = jobId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return `rc-${slug === '' ? 'job' : slug}-${random}`;
}
