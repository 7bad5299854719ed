import type { Job } from '../job.ts';
import type { JobSpec } from '../job-spec.ts';
import type { JobState } from '../job-state.ts';
import type { PhaseTiming } from '../phases.ts';
import type { AuditEvent } from './audit-log.ts';

/** A retried submission is recognised by (scope, key); `requestHash` tells a retry from a different request. */
export interface IdempotencyInput {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

export interface SubmitInput {
  readonly spec: JobSpec;
  readonly submittedBy: string | null;
  readonly parentId?: string | null;
  readonly idempotency?: IdempotencyInput;
}

/** `replayed` is true when an earlier submission with the same key and body is answered again. */
export interface SubmitResult {
  readonly job: Job;
  readonly replayed: boolean;
}

export interface JobFilter {
  readonly states?: readonly JobState[];
  /** Every pair must match. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  /** Only the children of this job. */
  readonly parentId?: string;
  /** Only the jobs this token submitted (contributors see no others). */
  readonly submittedBy?: string;
}

/** Keyset position: the last job of the previous page, newest first. */
export interface JobCursor {
  readonly createdAt: string;
  readonly id: string;
}

export interface JobPage {
  readonly jobs: readonly Job[];
  readonly next: JobCursor | null;
}

/** What the runner or dispatcher reports when moving a job on. */
export interface TransitionInput {
  readonly to: JobState;
  readonly exitCode?: number | null;
  readonly errorReason?: string | null;
  readonly phases?: readonly PhaseTiming[];
  /** Only if the job is still on this attempt (a dispatcher settling an attempt another already settled changes nothing). */
  readonly attempt?: number;
}

/**
 * The job table. `submit` writes the job and its outbox entry in one transaction, so an accepted
 * job reaches the queue even if the queue was down at that moment. Terminal states never change.
 */
export interface JobStore {
  /** Throws `conflict` when the idempotency key was used with a different request. */
  submit(input: SubmitInput): Promise<SubmitResult>;
  get(id: string): Promise<Job | null>;
  list(filter: JobFilter, page: { readonly limit: number; readonly after?: JobCursor }): Promise<JobPage>;
  /** How many children the job has, counted up to `upTo` (a bounded count: it stops there). */
  countChildren(parentId: string, upTo: number): Promise<number>;
  /**
   * Queued or waiting jobs end as `cancelled` at once; starting or running ones get a cancel
   * request for the dispatcher. Returns null for an unknown job; throws `conflict` if it already ended.
   * `audit` is recorded in the same transaction, once per job (a repeated request changes nothing).
   */
  requestCancel(id: string, audit?: AuditEvent): Promise<Job | null>;
  /** Throws `not_found`, or `conflict` when the job already ended or the move is not allowed. */
  transition(id: string, input: TransitionInput): Promise<Job>;
}
