-- The secret store and the audit log (the trust model).

-- Secret values, encrypted with AES-256-GCM by the server before they reach the database: the
-- database never sees a clear value. `key_id` names the master key that sealed the value, so keys
-- can rotate; the name is bound into the ciphertext as associated data, so a value copied onto
-- another name fails to decrypt.
CREATE TABLE secrets (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  key_id      text NOT NULL,
  iv          bytea NOT NULL CHECK (length(iv) = 12),
  ciphertext  bytea NOT NULL,
  tag         bytea NOT NULL CHECK (length(tag) = 16),
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_by  uuid
);

-- Append-only. No foreign keys: an entry outlives the token, job or secret it names.
CREATE TABLE audit_log (
  id               uuid PRIMARY KEY,
  -- Millisecond precision so a cursor carried through JavaScript is exact (as for jobs).
  created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  action           text NOT NULL,
  actor_token_id   uuid,
  actor_name       text,
  actor_role       text,
  target_kind      text NOT NULL,
  target_id        text NOT NULL,
  job_code_digest  text,
  secret_names     text[] NOT NULL DEFAULT '{}',
  detail           jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_created_id ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, created_at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_token_id, created_at DESC) WHERE actor_token_id IS NOT NULL;

-- Every job insert is audited by the database itself, in the inserting statement's transaction:
-- whichever path writes a job (a plain submit, a grouped insert, a job's child, a definition
-- run), it cannot be written unaudited. Statement-level, so a grouped insert costs one INSERT.
CREATE FUNCTION audit_job_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (id, created_at, action, actor_token_id, actor_name, actor_role, target_kind, target_id,
                         job_code_digest, secret_names, detail)
  SELECT gen_random_uuid(), n.created_at, 'job.submit', n.submitted_by, t.name, t.role, 'job', n.id::text,
         coalesce(n.spec->'jobCode'->>'sha256', n.spec->'source'->>'sha256'),
         ARRAY(SELECT jsonb_array_elements_text(coalesce(n.spec->'secrets', '[]'::jsonb))),
         jsonb_strip_nulls(jsonb_build_object('name', n.name, 'parentId', n.parent_id, 'definition', n.spec->'definition'))
  FROM inserted n LEFT JOIN api_tokens t ON t.id = n.submitted_by;
  RETURN NULL;
END
$$;
CREATE TRIGGER jobs_audit_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION audit_job_insert();
