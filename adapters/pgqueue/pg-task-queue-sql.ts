/**
 * The statements of the Postgres TaskQueue. Each is one statement, so each is its own short
 * transaction and one round trip; a NOTIFY inside one is sent when it commits. `notify` is the
 * CTE that sends it, or nothing at all in `in-process` mode.
 *
 * Claims and heartbeats commit without waiting for the WAL flush (`synchronous_commit` set off
 * for that one transaction by `set_config` inside the statement): a claim is only acted on
 * through a later JobStore write, whose synchronous commit flushes the WAL up to and past the
 * claim, so a crash can lose only a claim nothing was done with — and that task is simply
 * claimable again. It takes a disk flush off every pickup. Enqueue, release and requeue stay
 * fully durable.
 *
 * The hot statements (claim, extend, complete) take positional parameters, so that the queue
 * can run them as named prepared statements.
 *
 * A claim's fencing token is its lease end in epoch milliseconds (stored truncated to the
 * millisecond): a dispatcher whose lease ran out and was reclaimed holds an old token, so its
 * extend or requeue cannot touch the newer claim.
 */

const leaseMs = `(extract(epoch FROM lease_expires_at) * 1000)::bigint`;
/** A FROM item that turns off the WAL flush at this transaction's commit. */
const asyncCommit = `(SELECT set_config('synchronous_commit', 'off', true)) async_commit`;
const leaseEnd = (seconds: string): string => `date_trunc('milliseconds', clock_timestamp() + make_interval(secs => ${seconds}::float8))`;

/**
 * `complete` fenced by the claim, as a CTE body for a statement of the JobStore's database
 * (adapters/postgres/dispatch-store.ts `endRun`): deletes task `ref` only if it is still claimed
 * under fencing token `token` (SQL expressions), returning a row if it did.
 */
export function fencedCompleteCte(ref: string, token: string): string {
  return `DELETE FROM task_queue WHERE id = (${ref})::bigint AND state = 'claimed' AND ${leaseMs} = ${token} RETURNING 1`;
}

/** The NOTIFY channel of `listen` mode unless a queue names another. */
export const defaultChannel = 'reactorcide_task_queue';

export interface QueueSql {
  readonly enqueue: string;
  readonly enqueueMany: string;
  readonly release: string;
  readonly claim: string;
  readonly extend: string;
  readonly requeue: string;
  readonly complete: string;
  readonly remove: string;
  readonly reclaim: string;
  readonly counts: string;
}

export function queueSql(notifyChannel: string | null): QueueSql {
  // `changed` names the CTE whose rows say something became claimable in $(queue).
  const notify = (changed: string): string =>
    notifyChannel === null
      ? `n AS (SELECT 1 WHERE false)`
      : `n AS (SELECT pg_notify(${quoteLiteral(notifyChannel)}, $(queue)) FROM (SELECT 1 FROM ${changed} LIMIT 1) x)`;

  return {
    // The second branch finds the task a previous enqueue made; it sees only rows committed
    // before this statement began, so a concurrent first enqueue yields no row (the caller retries).
    enqueue: `
      WITH ins AS (
        INSERT INTO task_queue (job_id, queue, priority, state)
        VALUES ($(jobId), $(queue), $(priority), $(state))
        ON CONFLICT (job_id, queue) DO NOTHING
        RETURNING id, state
      ), ready AS (SELECT 1 FROM ins WHERE state = 'claimable'), ${notify('ready')}
      SELECT id::text AS ref, (SELECT count(*) FROM n)::int AS notified FROM ins
      UNION ALL
      SELECT id::text, 0 FROM task_queue WHERE job_id = $(jobId) AND queue = $(queue)
      LIMIT 1`,
    // Many enqueues in one statement ($1: a JSON array of {i, job_id, queue, priority, state}):
    // one row per input, in input order; a null ref is a concurrent first enqueue not yet
    // visible, which the caller enqueues alone. One NOTIFY per queue that got a claimable task.
    enqueueMany: `
      WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i integer, job_id text, queue text, priority integer, state text)
      ), ins AS (
        INSERT INTO task_queue (job_id, queue, priority, state)
        SELECT job_id, queue, priority, state FROM input ORDER BY i
        ON CONFLICT (job_id, queue) DO NOTHING
        RETURNING id, job_id, queue, state
      ), n AS (${notifyClaimable('ins', notifyChannel)})
      SELECT input.i, input.queue, (ins.state = 'claimable') AS woke, coalesce(ins.id, t.id)::text AS ref,
             (SELECT count(*) FROM n)::int AS notified
      FROM input
      LEFT JOIN ins ON ins.job_id = input.job_id AND ins.queue = input.queue
      LEFT JOIN task_queue t ON t.job_id = input.job_id AND t.queue = input.queue
      ORDER BY input.i`,
    release: `
      WITH u AS (
        UPDATE task_queue SET state = 'claimable', ready_at = clock_timestamp()
        WHERE id = $(id) AND queue = $(queue) AND state = 'waiting'
        RETURNING 1
      ), ${notify('u')}
      SELECT (SELECT count(*) FROM u)::int AS changed, (SELECT count(*) FROM n)::int AS notified`,
    // $1 queue, $2 lease seconds.
    claim: `
      UPDATE task_queue t
      SET state = 'claimed', claims = t.claims + 1, lease_expires_at = ${leaseEnd('$2')}
      FROM (
        SELECT id FROM task_queue
        WHERE queue = $1::text AND state = 'claimable'
        ORDER BY priority DESC, ready_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      ) c, ${asyncCommit}
      WHERE t.id = c.id
      RETURNING t.id::text AS ref, t.job_id, t.queue, t.priority, ${leaseMs.replace('lease_expires_at', 't.lease_expires_at')} AS lease_ms`,
    // $1 task id, $2 fencing token, $3 lease seconds.
    extend: `
      UPDATE task_queue SET lease_expires_at = ${leaseEnd('$3')}
      FROM ${asyncCommit}
      WHERE id = $1::bigint AND state = 'claimed' AND ${leaseMs} = $2::bigint
      RETURNING ${leaseMs} AS lease_ms`,
    requeue: `
      WITH u AS (
        UPDATE task_queue SET state = 'claimable', lease_expires_at = NULL, ready_at = clock_timestamp()
        WHERE id = $(id) AND state = 'claimed' AND ${leaseMs} = $(token)
        RETURNING 1
      ), ${notify('u')}
      SELECT (SELECT count(*) FROM u)::int AS changed, (SELECT count(*) FROM n)::int AS notified`,
    // $1 task id.
    complete: `DELETE FROM task_queue WHERE id = $1::bigint`,
    remove: `DELETE FROM task_queue WHERE id = $(id) AND queue = $(queue)`,
    // A reclaimed task keeps its ready_at: it has waited longest, and its dispatcher died.
    reclaim: `
      WITH u AS (
        UPDATE task_queue SET state = 'claimable', lease_expires_at = NULL
        WHERE queue = $(queue) AND state = 'claimed' AND lease_expires_at < coalesce($(now), clock_timestamp())
        RETURNING 1
      ), ${notify('u')}
      SELECT (SELECT count(*) FROM u)::int AS changed, (SELECT count(*) FROM n)::int AS notified`,
    counts: `SELECT queue, state, count(*)::int AS n FROM task_queue GROUP BY queue, state`,
  };
}

/**
 * One NOTIFY per queue that got a claimable task among the rows of `tasks` (with `queue` and
 * `state`); nothing without a channel. A CTE body: the statement must read the CTE for it to run.
 */
export function notifyClaimable(tasks: string, channel: string | null): string {
  if (channel === null) return 'SELECT 1 WHERE false';
  return `SELECT pg_notify(${quoteLiteral(channel)}, q.queue) FROM (SELECT DISTINCT queue FROM ${tasks} WHERE state = 'claimable') q`;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
