/** The DispatchStore over the jobs and job_outbox tables (migrations 0001 and 0005). */
import type { JobState } from '../../core/job-state.ts';
import type { DispatchStore, OutboxEntry } from '../../core/ports/dispatch-store.ts';
import type { Db } from './database.ts';
import { jobColumns, jobFromRow, type JobRow } from './job-row.ts';
import { pgCall } from './pg-errors.ts';

interface OutboxRow {
  id: string;
  job_id: string;
  kind: 'enqueue' | 'cancel';
  queue: string;
  priority: number;
}

export function createPgDispatchStore(db: Db): DispatchStore {
  return {
    pendingOutbox: (limit) =>
      pgCall(async () => {
        const rows = await db.manyOrNone<OutboxRow>(
          'SELECT id::text, job_id, kind, queue, priority FROM job_outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1',
          [limit],
        );
        return rows.map((r): OutboxEntry => ({ id: r.id, jobId: r.job_id, kind: r.kind, queue: r.queue, priority: r.priority }));
      }),
    markRelayed: (entry, queueRef) =>
      pgCall(async () => {
        await db.tx(async (t) => {
          await t.none('UPDATE job_outbox SET relayed_at = now(), attempts = attempts + 1 WHERE id = $1', [entry.id]);
          if (queueRef !== undefined) await t.none('UPDATE jobs SET queue_ref = $2 WHERE id = $1', [entry.jobId, queueRef]);
        });
      }),
    markRelayFailed: (entry, reason) =>
      pgCall(async () => {
        await db.none('UPDATE job_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [entry.id, reason.slice(0, 2000)]);
      }),
    taskOf: (jobId) =>
      pgCall(async () => {
        const row = await db.oneOrNone<{ state: JobState; queue_ref: string | null }>('SELECT state, queue_ref FROM jobs WHERE id = $1', [jobId]);
        return row === null ? null : { state: row.state, queueRef: row.queue_ref };
      }),
    startRun: (jobId, dispatcherId) =>
      pgCall(async () => {
        const row = await db.oneOrNone<JobRow>(
          `WITH u AS (
             UPDATE jobs SET state = 'starting', dispatched_by = $2, updated_at = now()
             WHERE id = $1 AND state = 'queued' AND cancel_requested_at IS NULL
             RETURNING *
           ), t AS (
             INSERT INTO job_transitions (job_id, from_state, to_state, reason) SELECT id, 'queued', 'starting', 'claimed by ' || $2 FROM u
           )
           SELECT ${jobColumns} FROM u`,
          [jobId, dispatcherId],
        );
        return row === null ? null : jobFromRow(row);
      }),
    cancelRequested: (jobIds) =>
      pgCall(async () => {
        if (jobIds.length === 0) return [];
        const rows = await db.manyOrNone<{ id: string }>(
          'SELECT id FROM jobs WHERE id = ANY($1::uuid[]) AND cancel_requested_at IS NOT NULL',
          [jobIds],
        );
        return rows.map((r) => r.id);
      }),
  };
}
