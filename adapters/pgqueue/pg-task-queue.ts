import { invalidInput, notFound } from '../../core/errors.ts';
import type { ClaimedTask, EnqueueInput, TaskQueue } from '../../core/ports/task-queue.ts';
import type { Db } from '../postgres/database.ts';
import { pgCall } from '../postgres/pg-errors.ts';
import { statement } from '../postgres/statement.ts';
import { startPgListener, type PgListener } from './pg-listener.ts';
import { defaultChannel, queueSql } from './pg-task-queue-sql.ts';
import { createWakeupHub, type WakeupHub } from './wakeup-hub.ts';

export interface PgTaskQueueOptions {
  readonly db: Db;
  /**
   * How waiters learn of new work. `listen`: the writing statement NOTIFYs and a dedicated
   * connection LISTENs (real Postgres; enqueuers and dispatchers in several processes).
   * `in-process`: only the hub of this process is woken (embedded PGlite, which is one session
   * where NOTIFY does not cross connections; enqueuer and dispatchers share one process).
   */
  readonly wake: 'listen' | 'in-process';
  /** Shared by every queue of the process that must wake each other; one of its own if omitted. */
  readonly hub?: WakeupHub;
  /** NOTIFY channel (`listen` mode). */
  readonly channel?: string;
  /** Run claim, extend and complete as named prepared statements (default off, as the stores). */
  readonly prepared?: boolean;
  /** The LISTEN connection failed or was lost (it reconnects by itself); for logging. */
  readonly onListenError?: (err: unknown) => void;
}

export interface PgTaskQueue extends TaskQueue {
  /** Opens the LISTEN connection now and resolves once it listens (no-op in `in-process` mode). */
  start(signal?: AbortSignal): Promise<void>;
}

type CountState = 'claimable' | 'claimed' | 'waiting';

function taskId(ref: string): string {
  if (!/^[1-9][0-9]{0,18}$/.test(ref)) throw invalidInput(`not a task reference of this queue: ${JSON.stringify(ref)}`);
  return ref;
}

const taskState = (input: EnqueueInput): 'waiting' | 'claimable' => (input.waiting === true ? 'waiting' : 'claimable');

function checkEnqueue(input: EnqueueInput): void {
  if (input.jobId === '' || input.queue === '') throw invalidInput('jobId and queue must not be empty');
  if (!Number.isInteger(input.priority)) throw invalidInput('priority must be an integer');
}

function leaseSecondsOf(leaseSeconds: number): number {
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) throw invalidInput('leaseSeconds must be a positive number');
  return leaseSeconds;
}

/**
 * The TaskQueue as a table in the JobStore's own database (migrations/0004_task_queue.sql):
 * claims by `FOR UPDATE SKIP LOCKED`, leases with an expiry, wake-ups by LISTEN/NOTIFY or
 * in-process, and always the caller's timeout as the fallback poll when a wake-up is lost.
 */
export function createPgTaskQueue(options: PgTaskQueueOptions): PgTaskQueue {
  const { db } = options;
  const channel = options.channel ?? defaultChannel;
  const listen = options.wake === 'listen';
  const sql = queueSql(listen ? channel : null);
  const prepared = options.prepared ?? false;
  const hub = options.hub ?? createWakeupHub();
  const closing = new AbortController();
  // The hub tick at the start of this instance's latest claim on each queue: a wake-up after it
  // means work may have arrived that the claim did not see.
  const claimedAt = new Map<string, number>();
  const watched = new Set<string>();
  let listener: PgListener | null = null;

  const ensureListener = (): PgListener | null => {
    if (!listen || closing.signal.aborted) return null;
    listener ??= startPgListener({
      db,
      channel,
      onNotify: (queue) => hub.wake(queue),
      // Notifications sent while the connection was down are gone: let every waiter look again.
      onListening: (reconnected) => {
        if (reconnected) for (const q of watched) hub.wake(q);
      },
      onError: options.onListenError,
    });
    return listener;
  };

  // In `listen` mode the NOTIFY reaches this process's waiters too, but waking them directly
  // saves the round trip through the server.
  const woke = (queue: string, changed: number): void => {
    if (changed > 0) hub.wake(queue);
  };

  async function enqueue(input: EnqueueInput): Promise<{ readonly ref: string }> {
    checkEnqueue(input);
    const params = { ...input, state: taskState(input) };
    // A concurrent first enqueue of the same job commits after this statement's snapshot: retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await pgCall(() => db.oneOrNone<{ ref: string; notified: number }>(sql.enqueue, params));
      if (row !== null) {
        if (params.state === 'claimable') woke(input.queue, 1);
        return { ref: row.ref };
      }
    }
    throw new Error(`enqueue of job ${input.jobId} found neither a new nor an existing task`);
  }

  return {
    enqueue,

    async enqueueMany(inputs) {
      inputs.forEach(checkEnqueue);
      if (inputs.length === 0) return [];
      const rows = await pgCall(() =>
        db.many<{ i: number; queue: string; woke: boolean | null; ref: string | null }>(sql.enqueueMany, [
          JSON.stringify(
            inputs.map((input, i) => ({ i, job_id: input.jobId, queue: input.queue, priority: input.priority, state: taskState(input) })),
          ),
        ]),
      );
      for (const queue of new Set(rows.filter((r) => r.woke === true).map((r) => r.queue))) woke(queue, 1);
      // A job whose first enqueue is committing beside this statement: enqueue it alone, which retries.
      return Promise.all(rows.map(async (r, i) => (r.ref !== null ? { ref: r.ref } : enqueue(inputs[i] as EnqueueInput))));
    },

    async release(ref, queue) {
      const row = await pgCall(() => db.one<{ changed: number }>(sql.release, { id: taskId(ref), queue }));
      woke(queue, row.changed);
    },

    async claim(queue, leaseSeconds) {
      const params = [queue, leaseSecondsOf(leaseSeconds)];
      claimedAt.set(queue, hub.tick());
      const row = await pgCall(() =>
        db.oneOrNone<{ ref: string; job_id: string; queue: string; priority: number; lease_ms: string }>(statement(prepared, 'rc_task_claim', sql.claim, params)),
      );
      if (row === null) return null;
      return { jobId: row.job_id, queue: row.queue, priority: row.priority, ref: row.ref, leaseExpiresAt: Number(row.lease_ms) };
    },

    async extend(task, leaseSeconds) {
      const params = [taskId(task.ref), task.leaseExpiresAt, leaseSecondsOf(leaseSeconds)];
      const row = await pgCall(() => db.oneOrNone<{ lease_ms: string }>(statement(prepared, 'rc_task_extend', sql.extend, params)));
      if (row === null) throw notFound(`the claim on task ${task.ref} of job ${task.jobId} was lost`);
      return { ...task, leaseExpiresAt: Number(row.lease_ms) };
    },

    async requeue(task: ClaimedTask) {
      const params = { id: taskId(task.ref), token: task.leaseExpiresAt, queue: task.queue };
      const row = await pgCall(() => db.one<{ changed: number }>(sql.requeue, params));
      woke(task.queue, row.changed);
    },

    async complete(task) {
      await pgCall(() => db.none(statement(prepared, 'rc_task_complete', sql.complete, [taskId(task.ref)])));
    },

    async remove(ref, queue) {
      await pgCall(() => db.none(sql.remove, { id: taskId(ref), queue }));
    },

    async reclaimExpired(queue, now) {
      const row = await pgCall(() => db.one<{ changed: number }>(sql.reclaim, { queue, now: now ?? null }));
      woke(queue, row.changed);
      return row.changed;
    },

    async waitForWork(queue, timeoutMs, signal) {
      const since = claimedAt.get(queue);
      if (since !== undefined && hub.lastWake(queue) > since) return;
      watched.add(queue);
      ensureListener();
      const stop = signal === undefined ? closing.signal : AbortSignal.any([signal, closing.signal]);
      await hub.wait(queue, timeoutMs, stop);
    },

    async counts() {
      const rows = await pgCall(() => db.manyOrNone<{ queue: string; state: CountState; n: number }>(sql.counts));
      const out: Record<string, Record<CountState, number>> = {};
      for (const r of rows) {
        const c = (out[r.queue] ??= { claimable: 0, claimed: 0, waiting: 0 });
        c[r.state] = r.n;
      }
      return out;
    },

    async start(signal) {
      await ensureListener()?.listening(signal);
    },

    async close() {
      closing.abort();
      await listener?.close();
    },
  };
}
