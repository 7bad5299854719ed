/**
 * The dispatcher's loops, for a long-lived process (`reactorcide serve`, or a pod of its own):
 * relay the outbox, claim tasks while there is capacity, reclaim leases that ran out, stop runs
 * whose cancellation was asked for, and archive the logs of ended jobs. Each loop logs an error, backs off and goes on — one bad
 * moment of the database never stops the dispatcher. `stop` cancels what runs and waits for it.
 */
import { randomUUID } from 'node:crypto';
import { archiveDueLogs, pruneLogArchives, type ArchiveDeps } from '../archive/index.ts';
import { relayOutbox } from './relay-outbox.ts';
import { runClaimedJob, type ActiveRun, type RunDeps } from './run-claimed-job.ts';

export interface DispatcherOptions {
  readonly queues: readonly string[];
  /** Runs at once in this dispatcher. */
  readonly maxRuns: number;
  readonly leaseSeconds: number;
  /** How often the outbox is looked at (submits land there). */
  readonly relayIntervalMs: number;
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
        if (typeof waitMs === 'number' && waitMs > 0) await sleep(waitMs, signal);
      } catch (err) {
        failures++;
        deps.logger.error({ err, loop: name }, 'dispatcher loop failed; backing off');
        await sleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 8)), signal);
      }
    }
  };

  const relay = loop('relay', async () => ((await relayOutbox(deps)) > 0 ? 0 : options.relayIntervalMs));

  const claims = options.queues.map((queue) =>
    loop(`claim ${queue}`, async () => {
      if (runs.size >= options.maxRuns) return 50;
      const task = await deps.queue.claim(queue, options.leaseSeconds);
      if (task === null) {
        await deps.queue.waitForWork(queue, 1000, signal);
        return;
      }
      const run = await runClaimedJob(deps, task, { dispatcherId: id, leaseSeconds: options.leaseSeconds });
      if (run === null) return;
      runs.set(run.jobId, run);
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

  const archive = options.archive;
  const housekeeping = archive
    ? loop('archive logs', async () => {
        // The dispatcher records a job's end only after its last record is stored, so a short
        // grace is enough (it covers other writers: a Kubernetes log still being read back).
        await archiveDueLogs({ ...archive.deps, logger: deps.logger }, { graceMs: 2_000 });
        if (archive.retentionDays > 0) await pruneLogArchives(archive.deps, new Date(Date.now() - archive.retentionDays * 86_400_000));
        return archive.intervalMs;
      })
    : Promise.resolve();

  const loops = Promise.all([relay, ...claims, reclaim, cancels, housekeeping]);
  deps.logger.info({ dispatcher: id, queues: options.queues, maxRuns: options.maxRuns }, 'dispatcher started');

  return {
    id,
    running: () => [...runs.keys()],
    async stop() {
      stopping.abort();
      for (const run of runs.values()) run.cancel();
      await Promise.all([loops, ...[...runs.values()].map((r) => r.done)]);
      deps.logger.info({ dispatcher: id }, 'dispatcher stopped');
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
