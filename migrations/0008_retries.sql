-- Retries (issue 5). A job keeps one row through all its attempts and stays non-terminal until
-- the last one ends, so "terminal states never change again" holds. An attempt that is retried
-- is appended, once, to past_attempts (its end state, exit code, reason, phases, times) and the
-- row goes back to queued with attempt + 1 and not_before = when the next attempt may start.
-- The re-enqueue is an outbox row carrying the same not_before: it is written in the same
-- transaction, so a dispatcher that dies during the backoff loses nothing, and the relay moves
-- it to the TaskQueue only once it is due.

ALTER TABLE jobs ADD COLUMN not_before timestamptz;
ALTER TABLE jobs ADD COLUMN past_attempts jsonb NOT NULL DEFAULT '[]'::jsonb;

ALTER TABLE job_outbox ADD COLUMN not_before timestamptz;

-- Where the current attempt's log begins: a dispatcher that reattaches to a run it did not start
-- resumes the log after the last record of this attempt that the log store holds.
ALTER TABLE jobs ADD COLUMN attempt_log_offset bigint NOT NULL DEFAULT 0;
