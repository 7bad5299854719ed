-- A finished job's log, compacted into one gzip NDJSON object in the ObjectStore. The row is
-- written in the same statement that deletes the chunks it covers, and only after the object is
-- confirmed written, so a log is always in the chunks, the archive, or both. A pruned archive
-- keeps its row (pruned_at set) so the job is not archived again as an empty log.
CREATE TABLE job_log_archives (
  job_id        uuid PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  object_key    text NOT NULL,
  record_count  bigint NOT NULL,
  -- One past the last offset the archive holds; chunks from here on are still live.
  next_offset   bigint NOT NULL,
  size          bigint NOT NULL,
  sha256        text NOT NULL,
  archived_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  pruned_at     timestamptz
);
CREATE INDEX job_log_archives_live ON job_log_archives (archived_at) WHERE pruned_at IS NULL;
-- The archiver's scan: ended jobs, oldest end first.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
