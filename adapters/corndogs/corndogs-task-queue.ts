import { AppError, invalidInput, notFound } from '../../core/errors.ts';
import type { ClaimedTask, EnqueueInput, TaskQueue } from '../../core/ports/task-queue.ts';
import { createCorndogsClient, type CorndogsClient } from './corndogs-client.ts';
import { loadCorndogsDefinitions, type WireTask } from './corndogs-proto.ts';
import { startCleanUpLoop, type CleanUpLoop } from './clean-up-loop.ts';

/** The Corndogs states a task of ours moves through; free-form strings to Corndogs. */
export interface CorndogsStates {
  /** Claimable. */
  readonly ready: string;
  /** Claimed: GetNextTask swaps `ready` into this, CleanUpTimedOut swaps it back. */
  readonly working: string;
  /** Waiting on dependencies; moved to `ready` by UpdateTask on release. */
  readonly waiting: string;
}

export interface CorndogsTaskQueueOptions {
  /** `host:port` of the Corndogs gRPC server. */
  readonly address: string;
  /** Deadline of every call (default 5 s). */
  readonly callTimeoutMs?: number;
  readonly states?: Partial<CorndogsStates>;
  /**
   * Calls CleanUpTimedOut for these queues every `intervalMs`, so tasks of a dead dispatcher
   * become claimable again: nothing in the Corndogs server does it by itself. Off if omitted
   * (then whoever runs `reconcile` calls `reclaimExpired`).
   */
  readonly cleanUp?: { readonly queues: readonly string[]; readonly intervalMs: number; readonly onError?: (err: unknown) => void };
}

export interface CorndogsTaskQueue extends TaskQueue {
  /** grpc.health.v1: the server reports SERVING. Throws `unavailable` when it cannot be reached. */
  healthy(): Promise<boolean>;
}

const nsPerMs = 1_000_000n;

function leaseEndMs(task: WireTask): number {
  return Number(BigInt(task.update_time) / nsPerMs) + Number(task.timeout) * 1000;
}

function jobIdOf(task: WireTask): string | null {
  try {
    const parsed = JSON.parse(task.payload.toString('utf8')) as { jobId?: unknown };
    return typeof parsed.jobId === 'string' && parsed.jobId !== '' ? parsed.jobId : null;
  } catch {
    return null;
  }
}

function leaseSecondsOf(leaseSeconds: number): number {
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) throw invalidInput('leaseSeconds must be a positive number');
  // Corndogs counts timeouts in whole seconds; rounding up never cuts a lease short.
  return Math.ceil(leaseSeconds);
}

/**
 * The TaskQueue over Corndogs. A task is submitted in `ready` (or `waiting`) with payload
 * `{"jobId"}`; a claim is GetNextTask(`ready`) with the lease as its timeout, which swaps the task
 * into `working`; every UpdateTask sends all of timeout, priority, payload and auto_target_state,
 * because Corndogs resets what is omitted. Corndogs cannot fence a claim, so extend and requeue
 * first read the task and act only if it still carries this claim's lease end (update_time +
 * timeout); the gap between that read and the update is the one race left.
 * Corndogs never long-polls: waitForWork waits out its timeout.
 */
export function createCorndogsTaskQueue(options: CorndogsTaskQueueOptions): CorndogsTaskQueue {
  const states: CorndogsStates = { ready: 'ready', working: 'ready-working', waiting: 'waiting', ...options.states };
  const client: CorndogsClient = createCorndogsClient(loadCorndogsDefinitions(), {
    address: options.address,
    callTimeoutMs: options.callTimeoutMs ?? 5_000,
  });
  const closing = new AbortController();

  const get = async (uuid: string): Promise<WireTask | null> => {
    if (uuid === '') throw invalidInput('empty task reference');
    return (await client.call('GetTaskStateByID', { uuid })).task;
  };

  /** The live task if it is still held by `claim`, else null. */
  const held = async (claim: ClaimedTask): Promise<WireTask | null> => {
    const task = await get(claim.ref);
    if (task === null || task.current_state !== states.working || leaseEndMs(task) !== claim.leaseExpiresAt) return null;
    return task;
  };

  /** UpdateTask with every field, so nothing is reset by omission. */
  const moveTo = (task: WireTask, newState: string, autoTarget: string, timeoutSeconds: number) =>
    client.call('UpdateTask', {
      uuid: task.uuid,
      queue: task.queue,
      current_state: task.current_state,
      new_state: newState,
      auto_target_state: autoTarget,
      timeout: timeoutSeconds,
      priority: task.priority,
      payload: task.payload,
    });

  const toClaimed = (task: WireTask, jobId: string): ClaimedTask => ({
    jobId,
    queue: task.queue,
    priority: Number(task.priority),
    ref: task.uuid,
    leaseExpiresAt: leaseEndMs(task),
  });

  const cleanUp: CleanUpLoop | null =
    options.cleanUp === undefined
      ? null
      : startCleanUpLoop({
          ...options.cleanUp,
          reclaim: (queue) => queue_.reclaimExpired(queue),
        });

  const queue_: CorndogsTaskQueue = {
    async enqueue(input: EnqueueInput) {
      if (input.jobId === '' || input.queue === '') throw invalidInput('jobId and queue must not be empty');
      if (!Number.isInteger(input.priority)) throw invalidInput('priority must be an integer');
      const waiting = input.waiting === true;
      const res = await client.call('SubmitTask', {
        queue: input.queue,
        current_state: waiting ? states.waiting : states.ready,
        auto_target_state: waiting ? `${states.waiting}-working` : states.working,
        timeout: 0,
        priority: input.priority,
        payload: Buffer.from(JSON.stringify({ jobId: input.jobId })),
      });
      if (res.task === null) throw new AppError('internal', 'corndogs SubmitTask returned no task');
      return { ref: res.task.uuid };
    },

    async release(ref) {
      // UpdateTask needs the priority and payload it would otherwise reset: read them first.
      const task = await get(ref);
      if (task === null || task.current_state !== states.waiting) return;
      await moveTo(task, states.ready, states.working, 0);
    },

    async claim(queue, leaseSeconds) {
      const lease = leaseSecondsOf(leaseSeconds);
      // A task whose payload is not ours cannot be dispatched; cancel it rather than choke on it.
      for (let skipped = 0; skipped < 100; skipped++) {
        const { task } = await client.call('GetNextTask', { queue, current_state: states.ready, override_timeout: lease });
        if (task === null || task.uuid === '') return null;
        const jobId = jobIdOf(task);
        if (jobId !== null) return toClaimed(task, jobId);
        await client.call('CancelTask', { uuid: task.uuid, queue: task.queue, current_state: task.current_state });
      }
      return null;
    },

    async extend(claim, leaseSeconds) {
      const lease = leaseSecondsOf(leaseSeconds);
      const task = await held(claim);
      if (task === null) throw notFound(`the claim on task ${claim.ref} of job ${claim.jobId} was lost`);
      const res = await moveTo(task, states.working, states.ready, lease);
      if (res.task === null) throw notFound(`the claim on task ${claim.ref} of job ${claim.jobId} was lost`);
      return { ...claim, leaseExpiresAt: leaseEndMs(res.task) };
    },

    async requeue(claim) {
      const task = await held(claim);
      if (task !== null) await moveTo(task, states.ready, states.working, 0);
    },

    async complete(claim) {
      await client.call('CompleteTask', { uuid: claim.ref, queue: claim.queue, current_state: states.working });
    },

    async remove(ref) {
      const task = await get(ref);
      if (task === null || task.current_state === 'completed' || task.current_state === 'canceled') return;
      await client.call('CancelTask', { uuid: task.uuid, queue: task.queue, current_state: task.current_state });
    },

    async reclaimExpired(queue, now = new Date()) {
      // An empty queue means every queue to Corndogs.
      if (queue === '') throw invalidInput('queue must not be empty');
      const res = await client.call('CleanUpTimedOut', { queue, at_time: String(BigInt(now.getTime()) * nsPerMs) });
      return Number(res.timed_out);
    },

    waitForWork(_queue, timeoutMs, signal) {
      const stop = signal === undefined ? closing.signal : AbortSignal.any([signal, closing.signal]);
      return new Promise<void>((resolve) => {
        if (stop.aborted) return resolve();
        const done = (): void => {
          clearTimeout(timer);
          stop.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        stop.addEventListener('abort', done, { once: true });
      });
    },

    async counts() {
      const res = await client.call('GetQueueAndStateCounts', {});
      const out: Record<string, Record<'claimable' | 'claimed' | 'waiting', number>> = {};
      for (const [queue, c] of Object.entries(res.queue_and_state_counts)) {
        const n = (state: string): number => Number(c.state_counts[state] ?? 0);
        out[queue] = { claimable: n(states.ready), claimed: n(states.working), waiting: n(states.waiting) };
      }
      return out;
    },

    healthy: () => client.healthy(),

    async close() {
      closing.abort();
      await cleanUp?.stop();
      client.close();
    },
  };
  return queue_;
}
