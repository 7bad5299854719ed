/**
 * Moves the JobStore's outbox to the TaskQueue: an accepted job was written with its outbox row
 * in one transaction, so it reaches the queue even if the queue was down when it was submitted.
 * Safe to run anywhere, any number of times: a row relayed twice (a crash between enqueue and
 * mark) is harmless, because enqueue is idempotent where the queue can be and a claim of a job
 * that is no longer queued is dropped. A job that waits (on dependencies, or for a slot in its
 * concurrency group) is enqueued not claimable, and a `release` row written when the database
 * admits it makes it claimable. A retry's row is written with a not-before time and is
 * handed out only once it is due, so the backoff survives any crash.
 */
import { coerceError } from '../../core/errors.ts';
import type { DispatchStore, OutboxEntry } from '../../core/ports/dispatch-store.ts';
import type { EnqueueInput, TaskQueue } from '../../core/ports/task-queue.ts';

export interface RelayDeps {
  readonly dispatch: DispatchStore;
  readonly queue: TaskQueue;
}

/** Relays up to `limit` rows; returns how many were relayed. A row that fails stays for the next call. */
export async function relayOutbox(deps: RelayDeps, limit = 100): Promise<number> {
  const entries = await deps.dispatch.pendingOutbox(limit);
  let relayed = 0;
  // Runs of plain enqueues (the common case: jobs just submitted) go to a queue that can take
  // several at once in one round trip each way; everything else one row at a time, in order.
  let run: OutboxEntry[] = [];
  const flush = async (): Promise<void> => {
    const batch = run;
    run = [];
    relayed += batch.length > 1 ? await relayEnqueues(deps, batch) : await relayEach(deps, batch);
  };
  for (const entry of entries) {
    if (deps.queue.enqueueMany !== undefined && entry.kind === 'enqueue' && entry.replaces === undefined) {
      run.push(entry);
      continue;
    }
    await flush();
    relayed += await relayEach(deps, [entry]);
  }
  await flush();
  return relayed;
}

/** Plain enqueues as one batch; if the batch fails, row by row, so one bad row holds up only itself. */
async function relayEnqueues(deps: RelayDeps, entries: readonly OutboxEntry[]): Promise<number> {
  try {
    const refs = await (deps.queue.enqueueMany as NonNullable<TaskQueue['enqueueMany']>)(entries.map(enqueueInput));
    const relayed = entries.map((entry, i) => ({ entry, queueRef: refs[i]?.ref }));
    if (!relayed.every((r): r is { entry: OutboxEntry; queueRef: string } => r.queueRef !== undefined)) throw new Error('the queue returned fewer refs than it was given tasks');
    await deps.dispatch.markRelayedMany(relayed);
    return entries.length;
  } catch {
    return relayEach(deps, entries);
  }
}

async function relayEach(deps: RelayDeps, entries: readonly OutboxEntry[]): Promise<number> {
  let relayed = 0;
  for (const entry of entries) {
    try {
      await relayOne(deps, entry);
      relayed++;
    } catch (err) {
      await deps.dispatch.markRelayFailed(entry, coerceError(err).message);
    }
  }
  return relayed;
}

async function relayOne(deps: RelayDeps, entry: OutboxEntry): Promise<void> {
  if (entry.kind === 'enqueue') {
    // A retry (its row was due only after the backoff): the last attempt's task goes first,
    // or a queue that dedupes by job would hand back that old, claimed task as the new one.
    if (entry.replaces !== undefined) await deps.queue.remove(entry.replaces, entry.queue);
    const { ref } = await deps.queue.enqueue(enqueueInput(entry));
    await deps.dispatch.markRelayed(entry, ref);
  } else if (entry.kind === 'release') {
    await releaseAdmitted(deps, entry.jobId, entry.queue);
    await deps.dispatch.markRelayed(entry);
  } else {
    // A job cancelled before it started leaves the queue; a running one is stopped by the
    // dispatcher that runs it, which still holds its task.
    const task = await deps.dispatch.taskOf(entry.jobId);
    if (task?.queueRef && task.state === 'cancelled') await deps.queue.remove(task.queueRef, entry.queue);
    await deps.dispatch.markRelayed(entry);
  }
}

const enqueueInput = (entry: OutboxEntry): EnqueueInput => ({
  jobId: entry.jobId,
  queue: entry.queue,
  priority: entry.priority,
  ...(entry.waiting === true ? { waiting: true } : {}),
});

/**
 * The job was admitted (its dependencies are met and its group has a slot): its waiting task
 * becomes claimable. The admission may have come before the relay enqueued the task as waiting —
 * then that enqueue, earlier in the outbox, saw the job queued and added it claimable already.
 */
async function releaseAdmitted(deps: RelayDeps, jobId: string, queue: string): Promise<void> {
  const task = await deps.dispatch.taskOf(jobId);
  if (task?.state !== 'queued') return;
  // Relayed out of order by another dispatcher: stay pending until the enqueue has its handle.
  if (task.queueRef === null) throw new Error('the job was admitted before its task was enqueued');
  await deps.queue.release(task.queueRef, queue);
}
