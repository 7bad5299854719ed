/**
 * The queue of jobs ready to start, as the dispatcher sees it. The JobStore stays the source of
 * truth about a job; a task only says "this job wants a dispatcher". A relay moves the JobStore's
 * outbox rows here, so every method must be safe to repeat (an outbox row may be relayed twice
 * after a crash).
 *
 * Claims are leases: a dispatcher that dies stops extending its claims, and `reclaimExpired`
 * (called on a schedule by whoever runs `reconcile`) makes its tasks claimable again. A task can
 * wait (for its dependencies) without being claimable, and be released later.
 *
 * Adapters: a Postgres table in the JobStore's database (adapters/pgqueue, the embedded default)
 * and Corndogs over gRPC (adapters/corndogs).
 */

export interface EnqueueInput {
  readonly jobId: string;
  readonly queue: string;
  /** Higher runs first; ties go to the task that has waited longest. */
  readonly priority: number;
  /** Not claimable until `release` (a job waiting on its dependencies). */
  readonly waiting?: boolean;
}

/** What a claim hands the dispatcher; passed back to extend/complete/requeue. */
export interface ClaimedTask {
  readonly jobId: string;
  readonly queue: string;
  readonly priority: number;
  /** The adapter's own handle for the task (a row id, a Corndogs uuid). */
  readonly ref: string;
  /** When the lease runs out unless extended (ms since the epoch). */
  readonly leaseExpiresAt: number;
}

export interface TaskQueue {
  /**
   * Adds the job's task and returns the adapter's handle for it, which the caller keeps (the
   * relay stores it with the job) to release or remove the task later. Where the backend can,
   * a second enqueue of the same job in the same queue changes nothing and returns the same ref
   * (pgqueue); where it cannot (Corndogs makes its own ids), a duplicate task may exist, and the
   * dispatcher — which checks the JobStore on every claim — completes a claim whose job is no
   * longer queued.
   */
  enqueue(input: EnqueueInput): Promise<{ readonly ref: string }>;
  /**
   * `enqueue` for several jobs at once, where the backend can do it in one round trip: the refs
   * come back in the order of `inputs`. Adapters without it are called once per job.
   */
  enqueueMany?(inputs: readonly EnqueueInput[]): Promise<readonly { readonly ref: string }[]>;
  /** Makes a waiting task claimable; no-op if it already is, or is gone. */
  release(ref: string, queue: string): Promise<void>;
  /** Claims the best claimable task for `leaseSeconds`, or returns null when there is none now. */
  claim(queue: string, leaseSeconds: number): Promise<ClaimedTask | null>;
  /** Heartbeat: the lease runs `leaseSeconds` from now. Throws `not_found` if the claim was lost. */
  extend(task: ClaimedTask, leaseSeconds: number): Promise<ClaimedTask>;
  /** Gives a claimed task back, claimable again (e.g. its concurrency group is full). */
  requeue(task: ClaimedTask): Promise<void>;
  /** The job is done with the queue: the task is removed. Idempotent. */
  complete(task: ClaimedTask): Promise<void>;
  /** Removes the task whatever its state (its job was cancelled before it ran). Idempotent. */
  remove(ref: string, queue: string): Promise<void>;
  /** Makes every task whose lease ran out before `now` claimable again; returns how many. */
  reclaimExpired(queue: string, now?: Date): Promise<number>;
  /**
   * Resolves when new work may have arrived in `queue` (a wake-up, not a promise of work), or
   * after `timeoutMs` at the latest, or when `signal` aborts. Callers claim after it resolves;
   * adapters without push notifications simply wait out the timeout.
   */
  waitForWork(queue: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Counts of tasks by queue and state ("claimable", "claimed", "waiting"), for metrics and status. */
  counts(): Promise<Readonly<Record<string, Readonly<Record<'claimable' | 'claimed' | 'waiting', number>>>>>;
  close(): Promise<void>;
}
