-- Jobs, their transitions, dependencies, the outbox the queue relay reads, and idempotency keys.
-- Columns the dispatcher selects on are real columns; the accepted spec is kept verbatim as JSON.

CREATE TABLE jobs (
  id                  uuid PRIMARY KEY,
  name                text,
  state               text NOT NULL CHECK (state IN
                        ('queued','waiting','starting','running','succeeded','failed','cancelled','timed_out','errored')),
  spec                jsonb NOT NULL,
  queue               text NOT NULL,
  priority            integer NOT NULL,
  labels              jsonb NOT NULL DEFAULT '{}'::jsonb,
  timeout_seconds     integer NOT NULL,
  concurrency_group   text,
  concurrency_limit   integer,
  concurrency_policy  text CHECK (concurrency_policy IN ('queue','supersede','cancel-running')),
  parent_id           uuid REFERENCES jobs(id),
  submitted_by        uuid,
  attempt             integer NOT NULL DEFAULT 1,
  max_attempts        integer NOT NULL DEFAULT 1,
  exit_code           integer,
  error_reason        text,
  phases              jsonb NOT NULL DEFAULT '[]'::jsonb,
  log_next_offset     bigint NOT NULL DEFAULT 0,
  -- Millisecond precision so that a cursor carried through JavaScript (Date, ISO text) is exact.
  created_at          timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at          timestamptz,
  finished_at         timestamptz,
  cancel_requested_at timestamptz
);

-- Keyset pagination, newest first, stable while jobs are inserted.
CREATE INDEX jobs_created_id ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_state_created ON jobs (state, created_at DESC, id DESC);
CREATE INDEX jobs_name_created ON jobs (name, created_at DESC, id DESC) WHERE name IS NOT NULL;
CREATE INDEX jobs_labels ON jobs USING gin (labels jsonb_path_ops);
CREATE INDEX jobs_concurrency_active ON jobs (concurrency_group, created_at)
  WHERE concurrency_group IS NOT NULL AND state IN ('queued','waiting','starting','running');
CREATE INDEX jobs_parent ON jobs (parent_id) WHERE parent_id IS NOT NULL;

-- Every state change with its time; the row in jobs holds only the latest.
CREATE TABLE job_transitions (
  id          bigserial PRIMARY KEY,
  job_id      uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  from_state  text,
  to_state    text NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  reason      text
);
CREATE INDEX job_transitions_job ON job_transitions (job_id, id);

-- A job waits until each job it depends on ends in one of `states`.
CREATE TABLE job_dependencies (
  job_id      uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  depends_on  uuid NOT NULL,
  states      text[] NOT NULL,
  PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX job_dependencies_target ON job_dependencies (depends_on);

-- Written in the same transaction as the job; a relay moves rows to the TaskQueue and marks them.
CREATE TABLE job_outbox (
  id          bigserial PRIMARY KEY,
  job_id      uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('enqueue','cancel')),
  queue       text NOT NULL,
  priority    integer NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  relayed_at  timestamptz,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX job_outbox_pending ON job_outbox (id) WHERE relayed_at IS NULL;

-- A retried submission (same scope and key) gets the first response; a different body is refused.
CREATE TABLE idempotency_keys (
  scope         text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  job_id        uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (scope, key)
);
