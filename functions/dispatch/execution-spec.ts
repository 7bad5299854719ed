import { AppError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';

/**
 * What the executor gets for a job: its accepted spec, as the runner will see it. Secret values
 * come from the secret store of the trust-model issue; until it exists a job that names secrets
 * cannot run, and says so, rather than run without them.
 */
export function executionSpecOf(job: Job): ExecutionSpec {
  const spec = job.spec;
  // Refused rather than ignored: running a job before its dependencies, or beyond its group's
  // limit, would be worse than not running it. The dispatcher issue adds both.
  if (spec.dependsOn.length > 0) throw new AppError('unavailable', 'this dispatcher does not run jobs with dependencies yet');
  if (spec.concurrency) throw new AppError('unavailable', 'this dispatcher does not run jobs in concurrency groups yet');
  if (spec.secrets.length > 0) {
    throw new AppError('unavailable', `this server has no secret store yet; the job names secrets ${spec.secrets.join(', ')}`);
  }
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
  };
}
