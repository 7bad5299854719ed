import { createHash } from 'node:crypto';
import type { Job } from '../../core/job.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import { invalidInput } from '../../core/errors.ts';
import type { Deps } from '../deps.ts';

export interface SubmitJobInput {
  readonly principal: TokenInfo;
  readonly spec: JobSpec;
  /** The body as the client sent it, to tell a retry from a different request under one key. */
  readonly rawBody: unknown;
  readonly idempotencyKey?: string | undefined;
}

export interface SubmitJobOutput {
  readonly job: Job;
  readonly replayed: boolean;
}

/**
 * Accepts a job. The store writes it with its outbox entry in one transaction, so once this
 * returns the job reaches the queue even if the queue is down right now. Idempotency keys are
 * scoped to the submitting token: two clients cannot collide on a key by accident.
 */
export async function submitJob(deps: Pick<Deps, 'jobs'>, input: SubmitJobInput): Promise<SubmitJobOutput> {
  const key = input.idempotencyKey;
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalidInput('header.idempotency-key: must be 1–255 visible ASCII characters', { field: 'header.idempotency-key' });
  }
  const idempotency =
    key === undefined
      ? undefined
      : {
          scope: input.principal.id,
          key,
          requestHash: createHash('sha256').update(JSON.stringify(input.rawBody)).digest('hex'),
        };
  return deps.jobs.submit({ spec: input.spec, submittedBy: input.principal.id, idempotency });
}
