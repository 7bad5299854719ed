-- Live job logs as chunks (one row per appended batch of records). Any API replica serves and
-- follows them; the archiver moves a finished job's chunks to the object store.
CREATE TABLE job_log_chunks (
  job_id        uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  first_offset  bigint NOT NULL,
  record_count  integer NOT NULL CHECK (record_count > 0),
  records       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (job_id, first_offset)
);
