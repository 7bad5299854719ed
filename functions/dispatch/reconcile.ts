/**
 * `reconcile`: one pass of everything that keeps the queue true to the job table, as a plain
 * function — what the dispatcher's loops do on their own cadences, and what a scheduler (a cron
 * Job, a FaaS timer) can call on its own when no long-lived dispatcher runs it:
 * relay the outbox to the queue, make tasks whose leases ran out claimable again, stop runs of
 * jobs that are not running (executors whose runs outlive their dispatcher), archive ended jobs'
 * logs and drop archives past retention. Each part is independent: one failing is reported and
 * the others still run, so a pass never leaves the system worse than it found it.
 */
import { coerceError } from '../../core/errors.ts';
import { archiveDueLogs, pruneLogArchives, type ArchiveDeps } from '../archive/index.ts';
import { relayOutbox } from './relay-outbox.ts';
import type { RunDeps } from './run-claimed-job.ts';
import { stopOrphanRuns } from './stop-orphan-runs.ts';

export interface ReconcileOptions {
  readonly queues: readonly string[];
  /** How long after a job's last change a run of it that should not exist counts as an orphan. */
  readonly orphanGraceMs?: number;
  readonly archive?: { readonly deps: ArchiveDeps; readonly retentionDays: number };
  readonly now?: Date;
}

export interface ReconcileReport {
  readonly relayed: number;
  readonly reclaimed: number;
  readonly orphansStopped: number;
  readonly logsArchived: number;
  readonly archivesPruned: number;
  /** The parts that failed, with why; the rest of the pass ran. */
  readonly errors: ReadonlyArray<{ readonly part: string; readonly message: string }>;
}

export async function reconcile(deps: RunDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const errors: Array<{ part: string; message: string }> = [];
  const part = async (name: string, body: () => Promise<number>): Promise<number> => {
    try {
      return await body();
    } catch (err) {
      const message = coerceError(err).message;
      deps.logger.error({ err, part: name }, 'reconcile: a part failed; the others ran');
      errors.push({ part: name, message });
      return 0;
    }
  };
  const now = options.now ?? new Date();
  return {
    relayed: await part('relay', () => relayAll(deps)),
    reclaimed: await part('reclaim', async () => {
      let n = 0;
      for (const queue of options.queues) n += await deps.queue.reclaimExpired(queue, now);
      return n;
    }),
    orphansStopped: await part('orphan runs', () => stopOrphanRuns(deps, options.orphanGraceMs)),
    logsArchived: await part('archive logs', async () => (options.archive ? (await archiveLogs(deps, options.archive, now)).archived : 0)),
    archivesPruned: await part('prune archives', () => (options.archive ? pruneArchives(options.archive, now) : Promise.resolve(0))),
    errors,
  };
}

/** The whole outbox, a batch at a time, until a batch comes back short. */
async function relayAll(deps: RunDeps, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await relayOutbox(deps, batch);
    total += n;
    if (n < batch) return total;
  }
}

/** The dispatcher records a job's end only after its last record is stored, so a short grace is enough. */
export function archiveLogs(deps: RunDeps, archive: NonNullable<ReconcileOptions['archive']>, now = new Date()) {
  return archiveDueLogs({ ...archive.deps, logger: deps.logger }, { graceMs: 2_000, now });
}

export function pruneArchives(archive: NonNullable<ReconcileOptions['archive']>, now = new Date()): Promise<number> {
  if (archive.retentionDays <= 0) return Promise.resolve(0);
  return pruneLogArchives(archive.deps, new Date(now.getTime() - archive.retentionDays * 86_400_000));
}
