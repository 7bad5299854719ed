-- Job tokens: rows of api_tokens with job_id set, one per run, minted by the dispatcher when the
-- run starts. It revokes them by job when the run ends, so they are found by job; and a job token
-- always has a hard expiry (the job's timeout plus a grace), whatever else goes wrong.
CREATE INDEX api_tokens_job ON api_tokens (job_id) WHERE job_id IS NOT NULL;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_job_token_expires CHECK (job_id IS NULL OR expires_at IS NOT NULL);
