/**
 * The database admits a concurrency group's jobs only while the group has a free slot, and its
 * compare-and-set start counts the group's runs again under the group's lock (migration 0007).
 * When that second count refuses a start — a job made `queued` by something other than admission
 * — the claim's job is still queued and wants to run: its task goes back to the queue after a
 * short pause (so a full group is not claimed in a tight loop), rather than being completed and
 * the job stranded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../../core/job.ts';
import type { ClaimedTask, TaskQueue } from '../../core/ports/task-queue.ts';

/** The start of this job was refused for want of a slot in its group (not a retry's backoff, not a cancel). */
export function refusedForSlot(job: Job, now = Date.now()): boolean {
  return (
    job.state === 'queued' &&
    job.spec.concurrency !== undefined &&
    job.cancelRequestedAt === null &&
    (job.retryAt === null || Date.parse(job.retryAt) <= now)
  );
}

export async function giveBackForSlot(deps: { readonly queue: TaskQueue }, task: ClaimedTask, pauseMs = 250): Promise<void> {
  await sleep(pauseMs);
  await deps.queue.requeue(task);
}
