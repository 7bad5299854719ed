-- Job definitions (the trust model): job code pinned by digest, the secrets it may receive per
-- role, the parameters a submitter may set, the limits of a run and the roles that may run it.
-- A version is immutable once written; only its approval state moves.
CREATE TABLE job_definitions (
  name         text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  version      integer NOT NULL CHECK (version >= 1),
  -- jobCode, entrypoint, secrets, secretsByRole, params, caps, roles: read back verbatim.
  body         jsonb NOT NULL,
  -- sha256 of the job code, kept apart so jobs and the audit log can name it without parsing.
  digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'revoked')),
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  approved_by  uuid,
  approved_at  timestamptz,
  revoked_by   uuid,
  revoked_at   timestamptz,
  PRIMARY KEY (name, version)
);

-- Immutability held by the database too, whatever code writes: only the approval columns move.
CREATE FUNCTION job_definitions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name OR NEW.version IS DISTINCT FROM OLD.version
     OR NEW.body IS DISTINCT FROM OLD.body OR NEW.digest IS DISTINCT FROM OLD.digest
     OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'job definition versions are immutable' USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER job_definitions_immutable BEFORE UPDATE ON job_definitions
  FOR EACH ROW EXECUTE FUNCTION job_definitions_immutable();

-- Every create, approval and revocation is audited in the writing transaction (audit_log comes
-- with 0011; a plpgsql body resolves its tables when it runs), so none can happen unrecorded.
CREATE FUNCTION audit_job_definition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  act text;
  actor uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    act := 'definition.create'; actor := NEW.created_by;
  ELSIF NEW.state IS NOT DISTINCT FROM OLD.state THEN
    RETURN NULL;
  ELSIF NEW.state = 'approved' THEN
    act := 'definition.approve'; actor := NEW.approved_by;
  ELSE
    act := 'definition.revoke'; actor := NEW.revoked_by;
  END IF;
  INSERT INTO audit_log (id, action, actor_token_id, actor_name, actor_role, target_kind, target_id,
                         job_code_digest, secret_names, detail)
  SELECT gen_random_uuid(), act, actor, t.name, t.role, 'definition', NEW.name || '@' || NEW.version,
         NEW.digest, ARRAY(SELECT jsonb_array_elements_text(coalesce(NEW.body->'secrets', '[]'::jsonb))),
         jsonb_build_object('name', NEW.name, 'version', NEW.version, 'roles', NEW.body->'roles',
                            'secretsByRole', NEW.body->'secretsByRole')
  FROM (SELECT 1) one LEFT JOIN api_tokens t ON t.id = actor;
  RETURN NULL;
END
$$;
CREATE TRIGGER job_definitions_audit AFTER INSERT OR UPDATE ON job_definitions
  FOR EACH ROW EXECUTE FUNCTION audit_job_definition();
