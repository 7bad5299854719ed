import type { Job } from '../../core/job.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';

/**
 * What the executor gets for a job: its accepted spec, as the runner will see it. Secret values
 * are filled in by `withSecrets` (job-secrets.ts) just before the run starts.
 */
export function executionSpecOf(job: Job): ExecutionSpec {
  const spec = job.spec;
  return {
    jobId: job.id,
    source: spec.source,
    ...(spec.jobCode ? { jobCode: spec.jobCode } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    ...(spec.image ? { image: spec.image } : {}),
    env: spec.env,
    secrets: {},
    resources: spec.resources,
    timeoutSeconds: spec.timeout,
    attempt: job.attempt,
  };
}
