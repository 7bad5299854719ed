-- The Postgres TaskQueue (adapters/pgqueue): one row per job waiting for a dispatcher.
-- A task is 'waiting' (on its dependencies, not claimable), 'claimable', or 'claimed' under a
-- lease that runs out at lease_expires_at unless extended. ready_at is when it last became
-- claimable: ties on priority go to the task that has been claimable longest, and a requeued
-- task goes behind its peers (as Corndogs orders by update_time).

CREATE TABLE task_queue (
  id                bigserial PRIMARY KEY,
  job_id            text NOT NULL,
  queue             text NOT NULL,
  priority          integer NOT NULL,
  state             text NOT NULL CHECK (state IN ('waiting','claimable','claimed')),
  ready_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Millisecond precision: the lease end is handed to callers as epoch milliseconds and handed
  -- back as the fencing token of their claim, so it must survive the round trip exactly.
  lease_expires_at  timestamptz,
  claims            integer NOT NULL DEFAULT 0,
  enqueued_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A relay that enqueues the same job twice (after a crash) gets the first task back.
  UNIQUE (job_id, queue),
  CHECK ((state = 'claimed') = (lease_expires_at IS NOT NULL))
);

-- The claim: best priority, then longest claimable, skipping rows other claimers hold.
CREATE INDEX task_queue_claimable ON task_queue (queue, priority DESC, ready_at, id) WHERE state = 'claimable';
-- The reclaim of leases that ran out.
CREATE INDEX task_queue_leases ON task_queue (queue, lease_expires_at) WHERE state = 'claimed';
