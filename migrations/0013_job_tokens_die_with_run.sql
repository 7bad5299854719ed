-- A run's job tokens are revoked in the transaction that ends the run: the job leaving starting
-- or running (an end state, or back to queued for its next attempt), by whichever path — the
-- dispatcher recording the end, a new claimant recording an attempt whose dispatcher died, an
-- orphan sweep. Verification already refuses a token whose job is not starting or running; this
-- keeps an old attempt's token dead when the next attempt starts, and saves the dispatcher a
-- round trip per run. Audited like every token write, with the system as actor.
CREATE FUNCTION rc_revoke_run_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH r AS (
    UPDATE api_tokens SET revoked_at = now() WHERE job_id = NEW.id AND revoked_at IS NULL RETURNING id
  )
  INSERT INTO audit_log (id, action, actor_token_id, actor_name, actor_role, target_kind, target_id, job_code_digest, secret_names, detail)
  SELECT gen_random_uuid(), 'token.revoke', NULL, NULL, NULL, 'token', r.id::text, NULL, '{}'::text[],
         jsonb_build_object('jobId', NEW.id::text, 'reason', 'the run ended')
    FROM r;
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_run_ends AFTER UPDATE OF state ON jobs FOR EACH ROW
  WHEN (OLD.state IN ('starting', 'running') AND NEW.state NOT IN ('starting', 'running'))
  EXECUTE FUNCTION rc_revoke_run_tokens();
