import type { InlineEnqueue } from '../postgres/inline-enqueue.ts';
import { defaultChannel, notifyClaimable } from './pg-task-queue-sql.ts';
import type { WakeupHub } from './wakeup-hub.ts';

export interface PgInlineEnqueueOptions {
  /** The hub of this process's queue: its dispatchers wake as the submit commits. */
  readonly hub: WakeupHub;
  /** NOTIFY the queue's channel too (`listen` mode: dispatchers in other processes). */
  readonly notify: boolean;
  readonly channel?: string;
}

/**
 * This queue's enqueue, as CTEs for the JobStore's submit statement (see
 * adapters/postgres/inline-enqueue.ts): the task takes the id the job keeps as its queue_ref;
 * a job that arrives `waiting` gets a task that is not claimable until its `release` comes
 * through the outbox, as a relayed enqueue would. Tasks and wake-ups are those of
 * `createPgTaskQueue` on the same database.
 */
export function pgInlineEnqueue(options: PgInlineEnqueueOptions): InlineEnqueue {
  const channel = options.notify ? (options.channel ?? defaultChannel) : null;
  return {
    // task_queue.id is a bigserial (migrations/0004_task_queue.sql).
    newTaskRef: `nextval('task_queue_id_seq')::text`,
    ctes: `, enqueued AS (
  INSERT INTO task_queue (id, job_id, queue, priority, state)
  SELECT queue_ref::bigint, id::text, queue, priority, CASE WHEN state = 'waiting' THEN 'waiting' ELSE 'claimable' END
  FROM j WHERE state IN ('queued', 'waiting')
  RETURNING queue, state
), notified AS (${notifyClaimable('enqueued', channel)})`,
    guard: `(SELECT count(*) FROM notified) >= 0`,
    committed(job) {
      if (job.state === 'queued') options.hub.wake(job.queue);
    },
  };
}
