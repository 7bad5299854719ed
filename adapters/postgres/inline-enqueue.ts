/**
 * A TaskQueue whose table lives in the JobStore's own database (adapters/pgqueue), written by the
 * submit's own statement: the job and its task commit together, which is all the outbox is for,
 * so a plain submit writes no outbox row and the relay has no round trips to make for it. Only
 * where every dispatcher takes jobs from that queue (`serve` with its own dispatcher).
 */
export interface InlineEnqueue {
  /** SQL for a new task's ref, which the job keeps as its `queue_ref`. */
  readonly newTaskRef: string;
  /**
   * CTEs, each led by a comma, that enqueue the jobs of CTE `j` (its columns include id, queue,
   * priority, state and queue_ref): claimable when `queued`, not yet when `waiting`.
   */
  readonly ctes: string;
  /** A condition for the statement's final SELECT that makes every CTE of `ctes` run. */
  readonly guard: string;
  /** The submit committed: wakes dispatchers waiting on the job's queue when it can be claimed. */
  committed(job: { readonly queue: string; readonly state: string }): void;
}
