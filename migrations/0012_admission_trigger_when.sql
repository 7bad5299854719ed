-- The admission trigger of 0007 runs for every job written, but only a job in a concurrency group
-- or with dependencies has anything to decide. Its own first line said so; a WHEN clause says it
-- without calling PL/pgSQL for every plain submit (the common case, and the API's hot path).
DROP TRIGGER jobs_arrive ON jobs;
CREATE TRIGGER jobs_arrive BEFORE INSERT ON jobs FOR EACH ROW
  WHEN (NEW.state = 'queued' AND (NEW.concurrency_group IS NOT NULL OR jsonb_array_length(coalesce(NEW.spec -> 'dependsOn', '[]'::jsonb)) > 0))
  EXECUTE FUNCTION rc_job_arrives();
