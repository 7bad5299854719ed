import { createHash } from 'node:crypto';
import type { Job } from '../../core/job.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import { invalidInput } from '../../core/errors.ts';
import { definitionRunSpec, type DefinitionRunRequest } from '../definitions/definition-run-spec.ts';
import { runRequestProblem } from '../definitions/run-request-fields.ts';
import type { Deps } from '../deps.ts';
import { childJobSpec } from './child-job-spec.ts';

export interface SubmitJobInput {
  readonly principal: TokenInfo;
  /** A full spec, or a run of a job definition (which the handler turns into a spec). */
  readonly spec: JobSpec | DefinitionRunRequest;
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
 *
 * A run of a definition is checked against the raw body first (a contributor may send only
 * definition, source and params: run-request-fields.ts), then built from the definition.
 */
export async function submitJob(deps: Pick<Deps, 'jobs' | 'definitions' | 'storage' | 'settings'>, input: SubmitJobInput): Promise<SubmitJobOutput> {
  const problem = runRequestProblem(input.principal.role, input.rawBody);
  if (problem !== null) throw problem;
  const key = input.idempotencyKey;
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalidInput('header.idempotency-key: must be 1–255 visible ASCII characters', { field: 'header.idempotency-key' });
  }
  const spec = isRunRequest(input.spec) ? await definitionRunSpec(deps, input.principal, runRequestOf(input.spec, input.rawBody)) : input.spec;
  const idempotency =
    key === undefined
      ? undefined
      : {
          scope: input.principal.id,
          key,
          requestHash: createHash('sha256').update(JSON.stringify(input.rawBody)).digest('hex'),
        };
  // A job token submits children: held to its parent (after every role rule), recorded as its.
  const parentId = input.principal.jobId ?? null;
  const held = parentId === null ? spec : await childJobSpec(deps, parentId, spec, input.rawBody, deps.settings.maxChildrenPerJob);
  return deps.jobs.submit({ spec: held, submittedBy: input.principal.id, parentId, idempotency });
}

const isRunRequest = (spec: JobSpec | DefinitionRunRequest): spec is DefinitionRunRequest => typeof spec.definition === 'string';

/** Only what the client sent: schema defaults (env {}, priority 0, …) must not look like extras. */
function runRequestOf(spec: DefinitionRunRequest, rawBody: unknown): DefinitionRunRequest {
  const sent = (k: string): boolean => typeof rawBody === 'object' && rawBody !== null && Object.hasOwn(rawBody, k);
  return {
    definition: spec.definition,
    source: spec.source,
    params: spec.params,
    ...(sent('name') ? { name: spec.name } : {}),
    ...(sent('labels') ? { labels: spec.labels } : {}),
    ...(sent('queue') ? { queue: spec.queue } : {}),
    ...(sent('priority') ? { priority: spec.priority } : {}),
    ...(sent('env') ? { env: spec.env } : {}),
  };
}
