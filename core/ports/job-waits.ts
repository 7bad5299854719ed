/**
 * Why a job that has not started yet waits, and where it stands in its concurrency group — what
 * `GET /v1/jobs/:id` adds to a queued or waiting job. Computed when asked (it changes with every
 * start and end in the group), never stored.
 */
export interface JobWait {
  /** 1-based, among the group's jobs that are admitted or ready to be, in submit order (1 = next); null outside a group. */
  readonly queuePosition: number | null;
  /** What it waits for (its dependencies, a slot in its group); null when nothing but a dispatcher. */
  readonly waitingReason: string | null;
}

export const noWait: JobWait = Object.freeze({ queuePosition: null, waitingReason: null });

export interface JobWaits {
  /** `noWait` for a job that is not pending, or does not exist. */
  of(jobId: string): Promise<JobWait>;
}
