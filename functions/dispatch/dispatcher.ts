/**
 * The dispatcher's loops, for a long-lived process (`reactorcide serve`, or a pod of its own):
 * relay the outbox, claim tasks while there is capacity, reclaim leases that ran out, stop runs
 * whose cancellation was asked for, and archive the logs of ended jobs. Each loop logs an error, backs off and goes on — one bad
 * moment of the database never stops the dispatcher. `stop` lets go of runs another dispatcher
 * can reattach to (Kubernetes Jobs keep running; their claims go back to the queue) and stops
 * the others (local processes die with their dispatcher anyway) — an `errored` attempt, retried
 * if the job allows, not a cancel nobody asked for — then waits for them. The housekeeping parts
 * are the same functions `reconcile` runs in one pass for a scheduler (reconcile.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ArchiveDeps } from '../archive/index.ts';
import { archiveLogs, pruneArchives } from './reconcile.ts';
import { relayOutbox } from './relay-outbox.ts';
import { stopOrphanRuns } from './stop-orphan-runs.ts';
import { createWakeSignal, type WakeSignal } from './wake-signal.ts';
import { runClaimedJob, type ActiveRun, type RunDeps } from './run-claimed-job.ts';
import { abortableSleep } from '../../core/abortable-sleep.ts';

export interface DispatcherOptions {
  readonly queues: readonly string[];
  /** Runs at once in this dispatcher. */
  readonly maxRuns: number;
  readonly leaseSeconds: number;
  /** How often the outbox is looked at (submits land there); a function is asked before every wait. */
  readonly relayIntervalMs: number | (() => number);
  /**
   * Notified by an API in the same process on every submit and cancel, so the relay looks at the
   * outbox at once instead of at its next poll (which still catches other processes' submits).
   */
  readonly outboxWake?: WakeSignal;
  /** How long after a job's last change a run of it that should not exist counts as an orphan (default a minute). */
  readonly orphanGraceMs?: number;
  /** How often running jobs are checked for a cancel request. */
  readonly cancelPollMs: number;
  /** Housekeeping of ended jobs' logs: move them to object storage, drop archives past retention. */
  readonly archive?: { readonly deps: ArchiveDeps; readonly intervalMs: number; readonly retentionDays: number };
}

export interface Dispatcher {
  readonly id: string;
  /** Jobs running here now. */
  readonly running: () => readonly string[];
  stop(): Promise<void>;
}

export function startDispatcher(deps: RunDeps, options: DispatcherOptions): Dispatcher {
  const id = `dispatcher-${randomUUID().slice(0, 8)}`;
  const stopping = new AbortController();
  const runs = new Map<string, ActiveRun>();
  const signal = stopping.signal;

  const loop = async (name: string, body: () => Promise<number | void>): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const waitMs = await body();
        failures = 0;
        if (typeof waitMs === 'number' && waitMs > 0) await abortableSleep(waitMs, signal);
      } catch (err) {
        failures++;
        deps.logger.error({ err, loop: name }, 'dispatcher loop failed; backing off');
        await abortableSleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 8)), signal);
      }
    }
  };

  // Work this process moved into the queue (an admitted job's release, above all): the claim
  // loops look at once — a queue without push wake-ups (Corndogs) would otherwise wait out its poll.
  const relayed = createWakeSignal();

  const relay = loop('relay', async () => {
    if ((await relayOutbox(deps)) > 0) {
      relayed.notify();
      return 0;
    }
    const interval = typeof options.relayIntervalMs === 'number' ? options.relayIntervalMs : options.relayIntervalMs();
    if (options.outboxWake === undefined) return interval;
    await options.outboxWake.wait(interval, signal);
  });

  // A run's end frees a slot: the claim loops wake at once rather than poll for capacity. The
  // slot is free once the runner is gone, while its end is still being recorded: recording
  // costs the machine nothing a next runner needs.
  const capacity = createWakeSignal();
  let busy = 0;

  const claims = options.queues.map((queue) =>
    loop(`claim ${queue}`, async () => {
      if (busy >= options.maxRuns) {
        await capacity.wait(1000, signal);
        return;
      }
      const task = await deps.queue.claim(queue, options.leaseSeconds);
      if (task === null) {
        const settled = new AbortController();
        const either = AbortSignal.any([signal, settled.signal]);
        await Promise.race([deps.queue.waitForWork(queue, 1000, either), relayed.wait(1000, either)]);
        settled.abort();
        return;
      }
      const run = await runClaimedJob(deps, task, { dispatcherId: id, leaseSeconds: options.leaseSeconds });
      if (run === null) return;
      runs.set(run.jobId, run);
      busy++;
      void run.exited.finally(() => {
        busy--;
        capacity.notify();
      });
      void run.done.finally(() => runs.delete(run.jobId));
    }),
  );

  const reclaim = loop('reclaim', async () => {
    for (const queue of options.queues) await deps.queue.reclaimExpired(queue);
    return (options.leaseSeconds * 1000) / 2;
  });

  const cancels = loop('cancel', async () => {
    const asked = await deps.dispatch.cancelRequested([...runs.keys()]);
    for (const jobId of asked) runs.get(jobId)?.cancel();
    return options.cancelPollMs;
  });

  // At start, then now and then: runs of jobs that are not running are stopped (stop-orphan-runs.ts).
  const orphans = loop('orphan runs', async () => {
    await stopOrphanRuns(deps, options.orphanGraceMs);
    return 300_000;
  });

  const archive = options.archive;
  const housekeeping = archive
    ? loop('archive logs', async () => {
        await archiveLogs(deps, archive);
        await pruneArchives(archive);
        return archive.intervalMs;
      })
    : Promise.resolve();

  const loops = Promise.all([relay, ...claims, reclaim, cancels, orphans, housekeeping]);
  deps.logger.info({ dispatcher: id, queues: options.queues, maxRuns: options.maxRuns }, 'dispatcher started');

  return {
    id,
    running: () => [...runs.keys()],
    async stop() {
      stopping.abort();
      for (const run of runs.values()) {
        if (run.detach) run.detach();
        else run.cancel('shutdown');
      }
      await Promise.all([loops, ...[...runs.values()].map((r) => r.done)]);
      deps.logger.info({ dispatcher: id }, 'dispatcher stopped');
    },
  };
}
