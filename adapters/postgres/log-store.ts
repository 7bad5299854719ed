import { conflict, notFound } from '../../core/errors.ts';
import type { LogRecord } from '../../core/log-record.ts';
import type { AppendOptions, LogSlice, LogStore, OffsetLogRecord } from '../../core/ports/log-store.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';
import { statement, type StoreOptions } from './statement.ts';

/**
 * A batch of $2 records ($3, JSON) appended to job $1's log: the job row's `log_next_offset` is
 * bumped in the same statement, which both hands out the batch's offsets and serialises appends
 * to one job, so offsets have no gaps and never repeat. With $4, an attempt whose first records
 * these are, the same row update moves a job still `starting` on it to `running`, and the
 * transition is recorded. With $5 and $6, the dispatcher and attempt of the run that wrote them,
 * nothing is written unless the job is still starting or running on that attempt under that
 * dispatcher. The row says which: `first` is null when nothing was written, `was` when there is
 * no such job.
 */
const appendSql = `
  WITH prev AS (
    SELECT id, state AS was, attempt,
      $5::text IS NULL OR (state IN ('starting', 'running') AND attempt = $6::int AND dispatched_by = $5::text) AS allowed
    FROM jobs WHERE id = $1::uuid FOR UPDATE
  ),
  j AS (
    UPDATE jobs SET log_next_offset = log_next_offset + $2::int,
      state = CASE WHEN begins THEN 'running' ELSE jobs.state END,
      started_at = CASE WHEN begins THEN coalesce(jobs.started_at, now()) ELSE jobs.started_at END,
      updated_at = CASE WHEN begins THEN now() ELSE jobs.updated_at END
    FROM (SELECT id, was = 'starting' AND attempt = $4::int AS begins FROM prev WHERE allowed) p
    WHERE jobs.id = p.id
    RETURNING log_next_offset - $2::int AS first, p.begins
  ), t AS (
    INSERT INTO job_transitions (job_id, from_state, to_state) SELECT $1::uuid, 'starting', 'running' FROM j WHERE j.begins
  ), c AS (
    INSERT INTO job_log_chunks (job_id, first_offset, record_count, records)
    SELECT $1::uuid, first, $2::int, $3::jsonb FROM j RETURNING first_offset
  )
  SELECT (SELECT first_offset FROM c) AS first, prev.was, prev.attempt FROM prev`;

/** Log chunks: one row per appended batch (see `appendSql`). */
export function createPgLogStore(db: Db, options: StoreOptions = {}): LogStore {
  const prepared = options.prepared ?? false;
  async function append(jobId: string, records: readonly LogRecord[], options: AppendOptions = {}): Promise<{ firstOffset: number; nextOffset: number }> {
    if (records.length === 0) {
      const row = await db.oneOrNone<{ n: string }>('SELECT log_next_offset AS n FROM jobs WHERE id = $1', [jobId]);
      if (row === null) throw notFound(`no job ${jobId}`);
      return { firstOffset: Number(row.n), nextOffset: Number(row.n) };
    }
    const row = await db.oneOrNone<{ first: string | null; was: string; attempt: number }>(
      statement(prepared, 'rc_log_append', appendSql, [
        jobId,
        records.length,
        JSON.stringify(records.map(({ ts, stream, phase, text }) => ({ ts, stream, phase, text }))),
        options.running ?? null,
        options.owner?.dispatcherId ?? null,
        options.owner?.attempt ?? null,
      ]),
    );
    if (row === null) throw notFound(`no job ${jobId}`);
    if (row.first === null) {
      throw conflict(
        `log records of attempt ${options.owner?.attempt} refused: job ${jobId} is ${row.was} on attempt ${row.attempt}, no longer run by this dispatcher`,
      );
    }
    const first = Number(row.first);
    return { firstOffset: first, nextOffset: first + records.length };
  }

  async function read(jobId: string, fromOffset: number, limit: number): Promise<LogSlice> {
    // Each chunk holds at least one record, so `limit` chunks always cover `limit` records.
    const rows = await db.manyOrNone<{ first_offset: string; records: LogRecord[] }>(
      `SELECT first_offset, records FROM job_log_chunks
       WHERE job_id = $1 AND first_offset + record_count > $2
       ORDER BY first_offset LIMIT $3`,
      [jobId, fromOffset, limit],
    );
    const out: OffsetLogRecord[] = [];
    for (const row of rows) {
      const first = Number(row.first_offset);
      row.records.forEach((r, i) => {
        const offset = first + i;
        if (offset >= fromOffset && out.length < limit) out.push({ offset, ...r });
      });
    }
    const last = out.at(-1);
    return { records: out, nextOffset: last === undefined ? fromOffset : last.offset + 1 };
  }

  return {
    append: (jobId, records, options) => pgCall(() => append(jobId, records, options)),
    read: (jobId, fromOffset, limit) => pgCall(() => read(jobId, fromOffset, limit)),
  };
}
