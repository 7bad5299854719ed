/**
 * Moves the JobStore's outbox to the TaskQueue: an accepted job was written with its outbox row
 * in one transaction, so it reaches the queue even if the queue was down when it was submitted.
 * Safe to run anywhere, any number of times: a row relayed twice (a crash between enqueue and
 * mark) is harmless, because enqueue is idempotent where the queue can be and a claim of a job
 * that is no longer queued is dropped.
 */
import { coerceError } from '../../core/errors.ts';
import type { DispatchStore } from '../../core/ports/dispatch-store.ts';
import type { TaskQueue } from '../../core/ports/task-queue.ts';

export interface RelayDeps {
  readonly dispatch: DispatchStore;
  readonly queue: TaskQueue;
}

/** Relays up to `limit` rows; returns how many were relayed. A row that fails stays for the next call. */
export async function relayOutbox(deps: RelayDeps, limit = 100): Promise<number> {
  const entries = await deps.dispatch.pendingOutbox(limit);
  let relayed = 0;
  for (const entry of entries) {
    try {
      if (entry.kind === 'enqueue') {
        const { ref } = await deps.queue.enqueue({ jobId: entry.jobId, queue: entry.queue, priority: entry.priority });
        await deps.dispatch.markRelayed(entry, ref);
      } else {
        // A job cancelled before it started leaves the queue; a running one is stopped by the
        // dispatcher that runs it, which still holds its task.
        const task = await deps.dispatch.taskOf(entry.jobId);
        if (task?.queueRef && task.state === 'cancelled') await deps.queue.remove(task.queueRef, entry.queue);
        await deps.dispatch.markRelayed(entry);
      }
      relayed++;
    } catch (err) {
      await deps.dispatch.markRelayFailed(entry, coerceError(err).message);
    }
  }
  return relayed;
}
