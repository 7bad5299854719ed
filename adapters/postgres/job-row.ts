import type { Job, PastAttempt } from '../../core/job.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import type { JobState } from '../../core/job-state.ts';
import type { PhaseTiming } from '../../core/phases.ts';

/** The columns a job is read with, everywhere, so every query maps through `jobFromRow`. */
/** A timestamptz inside JSON as the API writes times (JavaScript's toISOString: UTC, milliseconds, `Z`), for to_char. */
export const isoFormat = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

export const jobColumns = `id, name, state, spec, queue, priority, labels, parent_id, submitted_by, attempt,
  max_attempts, not_before, past_attempts, exit_code, error_reason, phases, created_at, started_at, finished_at, updated_at, cancel_requested_at`;

export interface JobRow {
  id: string;
  name: string | null;
  state: JobState;
  spec: JobSpec;
  queue: string;
  priority: number;
  labels: Record<string, string>;
  parent_id: string | null;
  submitted_by: string | null;
  attempt: number;
  max_attempts: number;
  not_before: Date | null;
  past_attempts: PastAttempt[];
  exit_code: number | null;
  error_reason: string | null;
  phases: PhaseTiming[];
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
  cancel_requested_at: Date | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    spec: r.spec,
    queue: r.queue,
    priority: r.priority,
    labels: r.labels,
    parentId: r.parent_id,
    submittedBy: r.submitted_by,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    retryAt: r.state === 'queued' ? iso(r.not_before) : null,
    previousAttempts: r.past_attempts,
    exitCode: r.exit_code,
    errorReason: r.error_reason,
    phases: r.phases,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    updatedAt: r.updated_at.toISOString(),
    cancelRequestedAt: iso(r.cancel_requested_at),
  };
}
