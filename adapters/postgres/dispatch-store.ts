/** The DispatchStore over the jobs and job_outbox tables (migrations 0001, 0005, 0007 and 0008), and job tokens minted as runs start (0009). */
import { randomUUID } from 'node:crypto';
import type { JobState } from '../../core/job-state.ts';
import type { Role } from '../../core/roles.ts';
import { mintToken } from '../../core/token.ts';
import type { DispatchStore, OutboxEntry } from '../../core/ports/dispatch-store.ts';
import type { Db } from './database.ts';
import { isoFormat, jobColumns, jobFromRow, type JobRow } from './job-row.ts';
import { jobTokenMintCtes } from './job-token-store.ts';
import { transitionCtes, transitionValues } from './job-store.ts';
import { pgCall } from './pg-errors.ts';
import { statement, type StoreOptions } from './statement.ts';

interface OutboxRow {
  id: string;
  job_id: string;
  kind: 'enqueue' | 'cancel' | 'release';
  queue: string;
  priority: number;
  replaces: string | null;
  waiting: boolean;
}

/**
 * queued → starting as a compare-and-set, and its transition: CTE `u` holds the started job
 * ($1 the job, $2 the dispatcher).
 */
const startCtes = `u AS (
    UPDATE jobs SET state = 'starting', dispatched_by = $2::text, updated_at = now(), not_before = NULL, attempt_log_offset = log_next_offset
    WHERE id = $1::uuid AND state = 'queued' AND cancel_requested_at IS NULL AND (not_before IS NULL OR not_before <= clock_timestamp())
    RETURNING *
  ), t AS (
    INSERT INTO job_transitions (job_id, from_state, to_state, reason) SELECT id, 'queued', 'starting', 'claimed by ' || $2::text FROM u
  )`;

export interface DispatchStoreOptions extends StoreOptions {
  /**
   * The TaskQueue's tasks are in this database (adapters/pgqueue's `fencedCompleteCte`): with it
   * the store offers `endRun`. A CTE body given the SQL of a task ref and of a fencing token: it
   * deletes that task if it is still claimed under that token, returning a row if it did.
   */
  readonly fencedComplete?: (ref: string, token: string) => string;
}

export function createPgDispatchStore(db: Db, options: DispatchStoreOptions = {}): DispatchStore {
  const prepared = options.prepared ?? false;
  const fencedComplete = options.fencedComplete;
  // The transition's $1–$6, then the task's ref and fencing token.
  const endRunSql =
    fencedComplete &&
    `WITH fence AS (${fencedComplete('$7::text', '$8::bigint')}), ${transitionCtes('EXISTS (SELECT 1 FROM fence)')}
     SELECT (SELECT count(*) FROM fence)::int AS fenced, (SELECT count(*) FROM u)::int AS moved`;
  return {
    ...(endRunSql
      ? {
          endRun: (task, input) =>
            pgCall(async () => {
              const row = await db.one<{ fenced: number; moved: number }>(
                statement(prepared, 'rc_run_end', endRunSql, [...transitionValues(task.jobId, input), task.ref, task.leaseExpiresAt]),
              );
              return row.fenced === 0 ? 'claim_lost' : row.moved === 0 ? 'already_ended' : 'ended';
            }),
        }
      : {}),
    pendingOutbox: (limit) =>
      pgCall(async () => {
        const rows = await db.manyOrNone<OutboxRow>(
          `SELECT o.id::text, o.job_id, o.kind, o.queue, o.priority, o.payload->>'replaces' AS replaces,
             coalesce(j.state = 'waiting', false) AS waiting
           FROM job_outbox o LEFT JOIN jobs j ON j.id = o.job_id
           WHERE o.relayed_at IS NULL AND (o.not_before IS NULL OR o.not_before <= clock_timestamp()) ORDER BY o.id LIMIT $1`,
          [limit],
        );
        return rows.map(
          (r): OutboxEntry => ({
            id: r.id,
            jobId: r.job_id,
            kind: r.kind,
            queue: r.queue,
            priority: r.priority,
            ...(r.replaces === null ? {} : { replaces: r.replaces }),
            ...(r.waiting ? { waiting: true } : {}),
          }),
        );
      }),
    markRelayed: (entry, queueRef) =>
      pgCall(async () => {
        // One statement, so the row and the task's handle are recorded together in one round trip.
        await db.none(
          `WITH o AS (UPDATE job_outbox SET relayed_at = now(), attempts = attempts + 1 WHERE id = $1)
           UPDATE jobs SET queue_ref = $3 WHERE id = $2 AND $3::text IS NOT NULL`,
          [entry.id, entry.jobId, queueRef ?? null],
        );
      }),
    markRelayedMany: (relayed) =>
      pgCall(async () => {
        if (relayed.length === 0) return;
        await db.none(
          `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, job_id uuid, ref text)),
           o AS (UPDATE job_outbox SET relayed_at = now(), attempts = attempts + 1 FROM x WHERE job_outbox.id = x.id)
           UPDATE jobs SET queue_ref = x.ref FROM x WHERE jobs.id = x.job_id`,
          [JSON.stringify(relayed.map(({ entry, queueRef }) => ({ id: entry.id, job_id: entry.jobId, ref: queueRef })))],
        );
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
    startRun: (jobId, dispatcherId, jobToken) =>
      pgCall(async () => {
        if (jobToken === undefined) {
          const row = await db.oneOrNone<JobRow>(statement(prepared, 'rc_run_start', `WITH ${startCtes} SELECT ${jobColumns} FROM u`, [jobId, dispatcherId]));
          return row === null ? null : { job: jobFromRow(row), token: null };
        }
        const minted = mintToken();
        // The token's columns are all null together: the job has no submitting token.
        const row = await db.oneOrNone<JobRow & { token_id: string | null; token_role: Role; token_expires_at: Date }>(
          statement(
            prepared,
            'rc_run_start_token',
            `WITH ${startCtes}, ${jobTokenMintCtes({
              jobs: 'u',
              id: '$3::uuid',
              lookup: '$4::text',
              hash: '$5::bytea',
              expiresAt: `now() + make_interval(secs => CASE WHEN j.timeout_seconds > 0 THEN j.timeout_seconds ELSE $7::int END + $6::int)`,
            })}
             SELECT ${jobColumns}, (SELECT id FROM tok) AS token_id, (SELECT role FROM tok) AS token_role,
               (SELECT expires_at FROM tok) AS token_expires_at FROM u`,
            [jobId, dispatcherId, randomUUID(), minted.lookup, minted.hash, jobToken.graceSeconds, jobToken.maxTimeoutSeconds],
          ),
        );
        if (row === null) return null;
        const token = row.token_id === null ? null : { id: row.token_id, token: minted.token, role: row.token_role, expiresAt: row.token_expires_at.toISOString() };
        return { job: jobFromRow(row), token };
      }),
    retryLater: (input) =>
      pgCall(async () => {
        const row = await db.oneOrNone<JobRow>(
          `WITH prev AS (
             SELECT id, state FROM jobs
             WHERE id = $(jobId) AND attempt = $(attempt) AND state IN ('starting','running') AND cancel_requested_at IS NULL
             FOR UPDATE
           ), u AS (
             UPDATE jobs SET state = 'queued', attempt = jobs.attempt + 1, updated_at = now(),
               not_before = date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $(delaySeconds))),
               past_attempts = jobs.past_attempts || jsonb_build_array(jsonb_build_object(
                 'attempt', jobs.attempt, 'state', $(state)::text, 'exitCode', $(exitCode)::int,
                 'errorReason', $(errorReason)::text, 'phases', $(phases)::jsonb,
                 'startedAt', (SELECT to_char(max(t.at) AT TIME ZONE 'UTC', $(isoFormat)) FROM job_transitions t
                               WHERE t.job_id = jobs.id AND t.to_state = 'starting'),
                 'finishedAt', to_char(clock_timestamp() AT TIME ZONE 'UTC', $(isoFormat)))),
               exit_code = NULL, error_reason = NULL, phases = '[]'::jsonb, dispatched_by = NULL
             FROM prev WHERE jobs.id = prev.id
             RETURNING jobs.*, prev.state AS from_state
           ), t AS (
             INSERT INTO job_transitions (job_id, from_state, to_state, reason) SELECT id, from_state, 'queued', $(reason) FROM u
           ), o AS (
             INSERT INTO job_outbox (job_id, kind, queue, priority, payload, not_before)
             SELECT id, 'enqueue', queue, priority, jsonb_build_object('replaces', $(taskRef)::text), not_before FROM u
           )
           SELECT ${jobColumns} FROM u`,
          {
            jobId: input.jobId,
            attempt: input.attempt,
            state: input.state,
            exitCode: input.exitCode,
            errorReason: input.errorReason,
            phases: JSON.stringify(input.phases),
            delaySeconds: Math.max(0, input.delayMs) / 1000,
            taskRef: input.taskRef,
            reason: input.reason.slice(0, 2000),
            isoFormat,
          },
        );
        return row === null ? null : jobFromRow(row);
      }),
    takeOver: (jobId, attempt, dispatcherId) =>
      pgCall(async () => {
        const row = await db.oneOrNone<JobRow>(
          `WITH u AS (
             UPDATE jobs SET dispatched_by = $3, updated_at = now()
             WHERE id = $1 AND attempt = $2 AND state IN ('starting','running')
             RETURNING *
           ), t AS (
             INSERT INTO job_transitions (job_id, from_state, to_state, reason) SELECT id, state, state, 'reattached by ' || $3 FROM u
           )
           SELECT ${jobColumns} FROM u`,
          [jobId, attempt, dispatcherId],
        );
        return row === null ? null : jobFromRow(row);
      }),
    resumePoint: (jobId) =>
      pgCall(async () => {
        // Only the last chunks are read: the resume point is the last record and its equals in `ts`.
        const row = await db.oneOrNone<{ ts: string; n: number }>(
          `WITH j AS (SELECT attempt_log_offset AS o FROM jobs WHERE id = $1),
           c AS (
             SELECT first_offset, records FROM job_log_chunks, j
             WHERE job_id = $1 AND first_offset + record_count > j.o
             ORDER BY first_offset DESC LIMIT 64
           ), r AS (
             SELECT e.rec->>'ts' AS ts FROM c, j, jsonb_array_elements(c.records) WITH ORDINALITY AS e(rec, i)
             WHERE c.first_offset + e.i - 1 >= j.o
           ), last AS (SELECT max(ts) AS ts FROM r)
           SELECT last.ts, (SELECT count(*) FROM r WHERE r.ts = last.ts)::int AS n FROM last WHERE last.ts IS NOT NULL`,
          [jobId],
        );
        return row === null ? null : { ts: row.ts, count: row.n };
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
