import { notFound } from '../../core/errors.ts';
import type { LogRecord } from '../../core/log-record.ts';
import type { LogSlice, LogStore, OffsetLogRecord } from '../../core/ports/log-store.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';
import { statement, type StoreOptions } from './statement.ts';

/**
 * Log chunks: one row per appended batch. The job row's `log_next_offset` is bumped in the same
 * statement, which both hands out the batch's offsets and serialises appends to one job, so
 * offsets have no gaps and never repeat.
 */
export function createPgLogStore(db: Db, options: StoreOptions = {}): LogStore {
  const prepared = options.prepared ?? false;
  async function append(jobId: string, records: readonly LogRecord[]): Promise<{ firstOffset: number; nextOffset: number }> {
    if (records.length === 0) {
      const row = await db.oneOrNone<{ n: string }>('SELECT log_next_offset AS n FROM jobs WHERE id = $1', [jobId]);
      if (row === null) throw notFound(`no job ${jobId}`);
      return { firstOffset: Number(row.n), nextOffset: Number(row.n) };
    }
    const row = await db.oneOrNone<{ first: string }>(
      statement(
        prepared,
        'rc_log_append',
        `WITH j AS (
           UPDATE jobs SET log_next_offset = log_next_offset + $2::int WHERE id = $1::uuid
           RETURNING log_next_offset - $2::int AS first
         )
         INSERT INTO job_log_chunks (job_id, first_offset, record_count, records)
         SELECT $1::uuid, first, $2::int, $3::jsonb FROM j RETURNING first_offset AS first`,
        [jobId, records.length, JSON.stringify(records.map(({ ts, stream, phase, text }) => ({ ts, stream, phase, text })))],
      ),
    );
    if (row === null) throw notFound(`no job ${jobId}`);
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
    append: (jobId, records) => pgCall(() => append(jobId, records)),
    read: (jobId, fromOffset, limit) => pgCall(() => read(jobId, fromOffset, limit)),
  };
}
