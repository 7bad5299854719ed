import { AppError } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { AuditLog } from '../../core/ports/audit-log.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import type { SecretStore } from '../../core/ports/secret-store.ts';

/** Where a run's secrets come from, and the log that records which ones each run was handed. */
export interface SecretSource {
  readonly store: SecretStore;
  readonly audit: AuditLog;
}

/**
 * The job's named secrets resolved to values, at the last moment before the run starts. Which
 * names a job may carry was decided at submit (a definition's allowance, or a maintainer's or
 * admin's own spec); here they are only looked up. The hand-out is audited before any value
 * leaves: a run never gets a secret the log does not show. A missing secret, a value that fails
 * to decrypt or no master key throws with the names only, and the job ends `errored` saying so.
 */
export async function withSecrets(source: SecretSource | undefined, job: Job, spec: ExecutionSpec): Promise<ExecutionSpec> {
  const names = job.spec.secrets;
  if (names.length === 0) return spec;
  if (source === undefined) {
    throw new AppError('unavailable', `this dispatcher has no master key for secrets (REACTORCIDE_SECRET_KEYS); the job names ${names.join(', ')}`);
  }
  const values = await source.store.resolve(names);
  const code = job.spec.jobCode ?? job.spec.source;
  await source.audit.record({
    action: 'job.secrets',
    actor: null,
    target: { kind: 'job', id: job.id },
    jobCodeDigest: code.kind === 'tarball' ? (code.sha256 ?? null) : null,
    secretNames: names,
    detail: { attempt: job.attempt, submittedBy: job.submittedBy },
  });
  return { ...spec, secrets: values };
}
