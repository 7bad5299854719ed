import { terminalStates } from '../../core/job-state.ts';
import type { LogArchive, LogArchiveStore, NdjsonChunk } from '../../core/ports/log-archive-store.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

interface ArchiveRow {
  job_id: string;
  object_key: string;
  record_count: string;
  next_offset: string;
  size: string;
  sha256: string;
  archived_at: Date;
  pruned_at: Date | null;
}

const toArchive = (r: ArchiveRow): LogArchive => ({
  jobId: r.job_id,
  key: r.object_key,
  recordCount: Number(r.record_count),
  nextOffset: Number(r.next_offset),
  size: Number(r.size),
  sha256: r.sha256,
  archivedAt: r.archived_at.toISOString(),
  prunedAt: r.pruned_at === null ? null : r.pruned_at.toISOString(),
});

/** The archive index in `job_log_archives` next to the live chunks in `job_log_chunks`. */
export function createPgLogArchiveStore(db: Db): LogArchiveStore {
  const store: LogArchiveStore = {
    async get(jobId) {
      const row = await db.oneOrNone<ArchiveRow>('SELECT * FROM job_log_archives WHERE job_id = $1', [jobId]);
      return row === null ? null : toArchive(row);
    },

    async due(finishedBefore, limit) {
      const rows = await db.manyOrNone<{ id: string }>(
        `SELECT j.id FROM jobs j
         WHERE j.finished_at IS NOT NULL AND j.finished_at < $1 AND j.state IN ($3:csv)
           AND NOT EXISTS (SELECT 1 FROM job_log_archives a WHERE a.job_id = j.id)
         ORDER BY j.finished_at, j.id LIMIT $2`,
        [finishedBefore, limit, terminalStates],
      );
      return rows.map((r) => r.id);
    },

    async chunks(jobId, fromOffset, limit) {
      // jsonb renders a string scalar with JSON.stringify's escapes, so these lines are the same
      // bytes the API's NDJSON renderer writes.
      const rows = await db.manyOrNone<{ first_offset: string; record_count: number; ndjson: string }>(
        `SELECT c.first_offset, c.record_count,
           (SELECT string_agg('{"offset":' || (c.first_offset + e.i - 1) || ',"ts":' || (e.r->'ts')::text
                     || ',"stream":' || (e.r->'stream')::text || ',"phase":' || (e.r->'phase')::text
                     || ',"text":' || (e.r->'text')::text || E'}\n', '' ORDER BY e.i)
            FROM jsonb_array_elements(c.records) WITH ORDINALITY AS e(r, i)) AS ndjson
         FROM job_log_chunks c
         WHERE c.job_id = $1 AND c.first_offset >= $2 ORDER BY c.first_offset LIMIT $3`,
        [jobId, fromOffset, limit],
      );
      return rows.map((r): NdjsonChunk => ({ firstOffset: Number(r.first_offset), recordCount: r.record_count, ndjson: r.ndjson }));
    },

    async commit(a) {
      // One statement: the archive row and the deletion of what it covers happen together or
      // not at all, with no transaction held open (PGlite serves one at a time).
      const row = await db.one<ArchiveRow & { n: string }>(
        `WITH a AS (
           INSERT INTO job_log_archives (job_id, object_key, record_count, next_offset, size, sha256)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (job_id) DO UPDATE SET object_key = EXCLUDED.object_key,
             record_count = EXCLUDED.record_count, next_offset = EXCLUDED.next_offset,
             size = EXCLUDED.size, sha256 = EXCLUDED.sha256, archived_at = clock_timestamp(), pruned_at = NULL
           RETURNING *
         ), d AS (
           DELETE FROM job_log_chunks c USING a
           WHERE c.job_id = a.job_id AND c.first_offset + c.record_count <= a.next_offset
           RETURNING 1
         )
         SELECT a.*, (SELECT count(*) FROM d) AS n FROM a`,
        [a.jobId, a.key, a.recordCount, a.nextOffset, a.size, a.sha256],
      );
      return { archive: toArchive(row), deletedChunks: Number(row.n) };
    },

    async prunable(archivedBefore, limit) {
      const rows = await db.manyOrNone<ArchiveRow>(
        `SELECT * FROM job_log_archives WHERE pruned_at IS NULL AND archived_at < $1
         ORDER BY archived_at, job_id LIMIT $2`,
        [archivedBefore, limit],
      );
      return rows.map(toArchive);
    },

    async markPruned(jobId) {
      await db.none('UPDATE job_log_archives SET pruned_at = clock_timestamp() WHERE job_id = $1', [jobId]);
    },
  };
  return {
    get: (jobId) => pgCall(() => store.get(jobId)),
    due: (before, limit) => pgCall(() => store.due(before, limit)),
    chunks: (jobId, from, limit) => pgCall(() => store.chunks(jobId, from, limit)),
    commit: (a) => pgCall(() => store.commit(a)),
    prunable: (before, limit) => pgCall(() => store.prunable(before, limit)),
    markPruned: (jobId) => pgCall(() => store.markPruned(jobId)),
  };
}
