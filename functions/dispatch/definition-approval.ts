/**
 * A run that needed its definition version's approval (a contributor's) is let start only while
 * that version is still approved. Submit checked it once; a run can then wait a long time —
 * behind a busy concurrency group, a dependency, a retry's backoff — and a maintainer who revokes
 * a version must be able to count on none of its waiting runs starting, and on none of them
 * receiving its secrets, afterwards. So the dispatcher looks again at the last moment, after it
 * has claimed the job and before secrets are resolved or the executor is asked for anything.
 */
import type { Job } from '../../core/job.ts';
import type { AuditLog } from '../../core/ports/audit-log.ts';
import type { DefinitionStore } from '../../core/ports/definition-store.ts';
import type { AttemptEnd } from './settle-attempt.ts';

/** Where the dispatcher reads a version's approval, and the log that records a refused start. */
export interface ApprovalSource {
  readonly definitions: DefinitionStore;
  readonly audit: AuditLog;
}

/**
 * How the attempt ends instead of starting, or null when it may start. A revoked version ends
 * the job `cancelled` — a maintainer's decision, not a fault of the system, and never retried —
 * with a reason naming the version, and the refusal is audited (`job.refused`, with the digest).
 * Without an approval source the check cannot be made, and the job ends `errored`: a run that
 * needed approval never starts unchecked.
 */
export async function approvalEnd(source: ApprovalSource | undefined, job: Job): Promise<AttemptEnd | null> {
  const ref = job.spec.definition;
  if (ref?.requiresApproval !== true) return null;
  const version = `${ref.name}@${ref.version}`;
  if (source === undefined) {
    return refused('errored', `this dispatcher cannot check the approval of ${version} (it has no definition store); the run was not started`);
  }
  const def = await source.definitions.get(ref.name, ref.version);
  if (def !== null && def.state === 'approved' && def.jobCode.sha256 === ref.digest) return null;
  const reason =
    def === null
      ? `${version} no longer exists; the run was not started`
      : `approval of ${version} was revoked before this run started; it was not started and received no secrets`;
  await source.audit.record({
    action: 'job.refused',
    actor: null,
    target: { kind: 'job', id: job.id },
    jobCodeDigest: ref.digest,
    detail: { definition: version, state: def?.state ?? null, attempt: job.attempt, submittedBy: job.submittedBy, reason },
  });
  return refused('cancelled', reason);
}

const refused = (state: 'cancelled' | 'errored', errorReason: string): AttemptEnd => ({ state, exitCode: null, errorReason, phases: [] });
