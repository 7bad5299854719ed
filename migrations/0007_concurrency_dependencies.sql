-- Dependencies and concurrency groups (issue 5), decided inside the database, in the transaction
-- that changes a job: a job's end and the look at its dependants and its group commit together,
-- so no crash falls between them, and every dispatcher and every API replica obeys the same
-- limits. Whoever records an end (the dispatcher, a cancel, a retry that gives up) triggers it.
--
-- A job with dependencies, or in a concurrency group without a free slot, enters `waiting` (its
-- task is enqueued not claimable). It becomes `queued` when every dependency ended in a state it
-- allows and its group has a free slot; a `release` outbox row then makes its task claimable.
-- A dependency that ended otherwise cancels it, with a reason naming the dependency.
-- A group's slots are held by its `queued` (admitted), `starting` and `running` jobs; waiting
-- jobs are admitted in submit order. A newer job with policy `supersede` cancels the group's
-- pending (queued, waiting) jobs; `cancel-running` also asks the running ones to stop.
--
-- Locks, to keep clear of deadlocks: job rows first, then a group's advisory lock; a row changed
-- while a group lock is held is taken by rc_try_lock_job, which waits a moment for short holders
-- (the relay recording a task, a log append) and passes over one that waits for the group itself.

ALTER TABLE job_outbox DROP CONSTRAINT job_outbox_kind_check;
ALTER TABLE job_outbox ADD CONSTRAINT job_outbox_kind_check CHECK (kind IN ('enqueue', 'cancel', 'release'));

-- Submit order within a group: created_at has millisecond ties and ids are random.
ALTER TABLE jobs ADD COLUMN submit_seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX jobs_group_seq ON jobs (concurrency_group, submit_seq)
  WHERE concurrency_group IS NOT NULL AND state IN ('queued', 'waiting', 'starting', 'running');

CREATE FUNCTION rc_lock_group(p_group text) RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('reactorcide.concurrency-group:' || p_group, 0))
$$;

-- Locks a job's row from under a group lock. Other holders either let go within moments (the
-- relay storing a task handle, a log append) or hold it while they wait for this group's lock (a
-- cancel, a start, a finish): waiting for those would deadlock, so after ~200 ms it gives up and
-- the caller passes the job over — that holder acts on the group after we commit.
CREATE FUNCTION rc_try_lock_job(p_job uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  FOR attempt IN 1..40 LOOP
    BEGIN
      PERFORM 1 FROM jobs WHERE id = p_job FOR UPDATE NOWAIT;
      RETURN FOUND;
    EXCEPTION WHEN lock_not_available THEN
      PERFORM pg_sleep(0.005);
    END;
  END LOOP;
  RETURN false;
END $$;

-- NULL when every dependency ended in a state it allows; 'pending' while one has not ended;
-- otherwise why the job can no longer run.
CREATE FUNCTION rc_dependency_verdict(p_job uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d record;
  pending boolean := false;
BEGIN
  FOR d IN
    SELECT dep.depends_on, dep.states, j.state
    FROM job_dependencies dep LEFT JOIN jobs j ON j.id = dep.depends_on
    WHERE dep.job_id = p_job ORDER BY dep.depends_on
  LOOP
    IF d.state IS NULL THEN
      RETURN format('dependency %s does not exist', d.depends_on);
    ELSIF d.state NOT IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'errored') THEN
      pending := true;
    ELSIF NOT d.state = ANY (d.states) THEN
      RETURN format('dependency %s ended %s (this job needed %s)', d.depends_on, d.state, array_to_string(d.states, ' or '));
    END IF;
  END LOOP;
  RETURN CASE WHEN pending THEN 'pending' END;
END $$;

-- A pending job ends cancelled, and its task leaves the queue (the relay's `cancel`).
CREATE FUNCTION rc_cancel_pending(p_job uuid, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  prev text;
BEGIN
  SELECT state INTO prev FROM jobs WHERE id = p_job;
  IF prev IS NULL OR prev NOT IN ('queued', 'waiting') THEN RETURN; END IF;
  UPDATE jobs SET state = 'cancelled', error_reason = p_reason, finished_at = now(), updated_at = now() WHERE id = p_job;
  INSERT INTO job_transitions (job_id, from_state, to_state, reason) VALUES (p_job, prev, 'cancelled', p_reason);
  INSERT INTO job_outbox (job_id, kind, queue, priority) SELECT id, 'cancel', queue, priority FROM jobs WHERE id = p_job;
END $$;

-- waiting → queued, and its task becomes claimable (the relay's `release`); false if not waiting.
CREATE FUNCTION rc_admit(p_job uuid, p_reason text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs SET state = 'queued', updated_at = now() WHERE id = p_job AND state = 'waiting';
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO job_transitions (job_id, from_state, to_state, reason) VALUES (p_job, 'waiting', 'queued', p_reason);
  INSERT INTO job_outbox (job_id, kind, queue, priority) SELECT id, 'release', queue, priority FROM jobs WHERE id = p_job;
  RETURN true;
END $$;

-- Admits the group's ready waiting jobs, oldest first, while slots are free.
CREATE FUNCTION rc_admit_group(p_group text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  held integer;
  c record;
BEGIN
  PERFORM rc_lock_group(p_group);
  SELECT count(*) INTO held FROM jobs WHERE concurrency_group = p_group AND state IN ('queued', 'starting', 'running');
  FOR c IN
    SELECT id, concurrency_limit FROM jobs
    WHERE concurrency_group = p_group AND state = 'waiting' AND rc_dependency_verdict(id) IS NULL
    ORDER BY submit_seq
  LOOP
    EXIT WHEN held >= coalesce(c.concurrency_limit, 1);
    CONTINUE WHEN NOT rc_try_lock_job(c.id);
    IF rc_admit(c.id, format('a slot in concurrency group %s is free', p_group)) THEN held := held + 1; END IF;
  END LOOP;
END $$;

-- Looks at one waiting job: cancelled if a dependency failed it, admitted when it may run.
CREATE FUNCTION rc_evaluate(p_job uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  j record;
  verdict text;
BEGIN
  SELECT state, concurrency_group INTO j FROM jobs WHERE id = p_job;
  IF j.state IS DISTINCT FROM 'waiting' THEN RETURN; END IF;
  verdict := rc_dependency_verdict(p_job);
  IF verdict = 'pending' THEN RETURN; END IF;
  IF verdict IS NOT NULL THEN
    PERFORM rc_cancel_pending(p_job, verdict);
  ELSIF j.concurrency_group IS NULL THEN
    PERFORM rc_admit(p_job, 'dependencies met');
  ELSE
    PERFORM rc_admit_group(j.concurrency_group);
  END IF;
END $$;

-- A newer job of the group cancels its pending jobs; with cancel-running, asks its runs to stop.
CREATE FUNCTION rc_supersede(p_group text, p_by uuid, p_running boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o record;
  reason text := format('superseded by job %s in concurrency group %s', p_by, p_group);
BEGIN
  FOR o IN
    SELECT id FROM jobs WHERE concurrency_group = p_group AND state IN ('queued', 'waiting') AND id <> p_by ORDER BY submit_seq
  LOOP
    IF rc_try_lock_job(o.id) THEN PERFORM rc_cancel_pending(o.id, reason); END IF;
  END LOOP;
  IF NOT p_running THEN RETURN; END IF;
  FOR o IN
    SELECT id FROM jobs WHERE concurrency_group = p_group AND state IN ('starting', 'running') AND cancel_requested_at IS NULL
    ORDER BY submit_seq
  LOOP
    CONTINUE WHEN NOT rc_try_lock_job(o.id);
    UPDATE jobs SET cancel_requested_at = now(), updated_at = now()
    WHERE id = o.id AND state IN ('starting', 'running') AND cancel_requested_at IS NULL;
    CONTINUE WHEN NOT FOUND;
    INSERT INTO job_transitions (job_id, from_state, to_state, reason)
      SELECT id, state, state, 'cancel requested: ' || reason FROM jobs WHERE id = o.id;
    INSERT INTO job_outbox (job_id, kind, queue, priority) SELECT id, 'cancel', queue, priority FROM jobs WHERE id = o.id;
  END LOOP;
END $$;

-- Before a job is written: supersede, and whether it waits.
CREATE FUNCTION rc_job_arrives() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  has_deps boolean := jsonb_array_length(coalesce(NEW.spec -> 'dependsOn', '[]'::jsonb)) > 0;
  held integer;
  ahead boolean;
BEGIN
  IF NEW.state <> 'queued' OR (NEW.concurrency_group IS NULL AND NOT has_deps) THEN RETURN NEW; END IF;
  IF has_deps THEN
    -- A dependency ending now is waited for: either its end sees this job, or this job sees its end.
    PERFORM 1 FROM jobs
    WHERE id IN (SELECT (x ->> 'jobId')::uuid FROM jsonb_array_elements(NEW.spec -> 'dependsOn') x)
    ORDER BY id FOR SHARE;
  END IF;
  IF NEW.concurrency_group IS NOT NULL THEN
    PERFORM rc_lock_group(NEW.concurrency_group);
    -- Submit order within a group is the order jobs take its lock: a number drawn before the lock
    -- would let an older-numbered submit that lost the race supersede a newer one.
    NEW.submit_seq := nextval(pg_get_serial_sequence('jobs', 'submit_seq'));
    IF NEW.concurrency_policy IN ('supersede', 'cancel-running') THEN
      PERFORM rc_supersede(NEW.concurrency_group, NEW.id, NEW.concurrency_policy = 'cancel-running');
    END IF;
  END IF;
  IF has_deps THEN
    NEW.state := 'waiting';
    RETURN NEW;
  END IF;
  SELECT count(*) INTO held FROM jobs WHERE concurrency_group = NEW.concurrency_group AND state IN ('queued', 'starting', 'running');
  SELECT EXISTS (
    SELECT 1 FROM jobs WHERE concurrency_group = NEW.concurrency_group AND state = 'waiting' AND rc_dependency_verdict(id) IS NULL
  ) INTO ahead;
  IF ahead OR held >= coalesce(NEW.concurrency_limit, 1) THEN NEW.state := 'waiting'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_arrive BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION rc_job_arrives();

-- After the statement that wrote a waiting job (its dependencies are written by then): dependencies
-- that already ended resolve at once.
CREATE FUNCTION rc_job_arrived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rc_evaluate(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_arrived AFTER INSERT ON jobs FOR EACH ROW WHEN (NEW.state = 'waiting') EXECUTE FUNCTION rc_job_arrived();

-- The compare-and-set start of a group's job also needs a slot, counted under the group's lock
-- (the row is already locked by the UPDATE). Admission keeps this true; a start it would break
-- is skipped (the UPDATE changes no row) and the dispatcher gives the task back.
CREATE FUNCTION rc_job_starts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  running integer;
BEGIN
  PERFORM rc_lock_group(NEW.concurrency_group);
  SELECT count(*) INTO running FROM jobs
  WHERE concurrency_group = NEW.concurrency_group AND state IN ('starting', 'running') AND id <> NEW.id;
  IF running >= coalesce(NEW.concurrency_limit, 1) THEN RETURN NULL; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_start BEFORE UPDATE OF state ON jobs FOR EACH ROW
  WHEN (OLD.state = 'queued' AND NEW.state = 'starting' AND NEW.concurrency_group IS NOT NULL)
  EXECUTE FUNCTION rc_job_starts();

-- A job ended: its waiting dependants are looked at, and its slot goes to the next of its group.
CREATE FUNCTION rc_job_ended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d uuid;
BEGIN
  -- Row locks before any group lock; a dependant's other dependency ending at the same moment
  -- then evaluates it after us, and sees this end.
  PERFORM 1 FROM jobs
  WHERE id IN (SELECT job_id FROM job_dependencies WHERE depends_on = NEW.id) AND state = 'waiting'
  ORDER BY id FOR UPDATE;
  FOR d IN SELECT job_id FROM job_dependencies WHERE depends_on = NEW.id ORDER BY job_id LOOP
    PERFORM rc_evaluate(d);
  END LOOP;
  IF NEW.concurrency_group IS NOT NULL THEN PERFORM rc_admit_group(NEW.concurrency_group); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_end AFTER UPDATE OF state ON jobs FOR EACH ROW
  WHEN (OLD.state NOT IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'errored')
        AND NEW.state IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'errored'))
  EXECUTE FUNCTION rc_job_ended();

-- Why a pending job waits and where it stands in its group, for GET /v1/jobs/:id. The position
-- counts the group's jobs submitted before it that are admitted or ready to be (1 = next).
CREATE FUNCTION rc_job_wait(p_job uuid, OUT queue_position integer, OUT waiting_reason text) LANGUAGE plpgsql STABLE AS $$
DECLARE
  j record;
  verdict text;
  blocker text;
  held integer;
BEGIN
  SELECT state, concurrency_group, concurrency_limit, submit_seq INTO j FROM jobs WHERE id = p_job;
  IF j.state IS NULL OR j.state NOT IN ('queued', 'waiting') THEN RETURN; END IF;
  IF j.concurrency_group IS NOT NULL THEN
    SELECT 1 + count(*) INTO queue_position FROM jobs
    WHERE concurrency_group = j.concurrency_group AND submit_seq < j.submit_seq
      AND (state = 'queued' OR (state = 'waiting' AND rc_dependency_verdict(id) IS NULL));
  END IF;
  IF j.state = 'queued' THEN RETURN; END IF;
  verdict := rc_dependency_verdict(p_job);
  IF verdict = 'pending' THEN
    SELECT string_agg(format('%s (%s)', dep.depends_on, dj.state), ', ' ORDER BY dep.depends_on) INTO blocker
    FROM job_dependencies dep JOIN jobs dj ON dj.id = dep.depends_on
    WHERE dep.job_id = p_job AND dj.state NOT IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'errored');
    waiting_reason := 'waiting for dependencies to end: ' || blocker;
  ELSIF verdict IS NOT NULL THEN
    waiting_reason := verdict;
  ELSIF j.concurrency_group IS NOT NULL THEN
    SELECT count(*) INTO held FROM jobs WHERE concurrency_group = j.concurrency_group AND state IN ('queued', 'starting', 'running');
    waiting_reason := format('waiting for a slot in concurrency group %s (%s of %s in use)', j.concurrency_group, held, coalesce(j.concurrency_limit, 1));
  END IF;
END $$;
