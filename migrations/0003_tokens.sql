-- Bearer tokens, kept only as SHA-256 hashes; `lookup` is a non-secret prefix used to find the row.
CREATE TABLE api_tokens (
  id          uuid PRIMARY KEY,
  lookup      text NOT NULL UNIQUE,
  hash        bytea NOT NULL,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin','maintainer','contributor','viewer')),
  created_by  uuid REFERENCES api_tokens(id),
  -- Set for a job's own token (jobs that submit child jobs); the dispatcher issues those.
  job_id      uuid REFERENCES jobs(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at  timestamptz,
  revoked_at  timestamptz
);
