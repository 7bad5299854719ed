/**
 * Runs where nothing should run. An executor whose runs outlive their dispatcher (Kubernetes) can
 * hold a run of a job that has ended, or that is queued or waiting for its next attempt: a
 * dispatcher cut off while it created the run, or one whose end was recorded while nobody could
 * follow it. Such a run is stopped, so a job never runs twice at once and nothing runs for a job
 * that is over. Runs of jobs `starting` or `running` belong to the claim path (reattach), and runs
 * of jobs this database does not know — another installation sharing the namespace — are left
 * alone.
 */
import type { JobStore } from '../../core/ports/job-store.ts';
import type { Executor } from '../../core/ports/executor.ts';
import type { Logger } from '../deps.ts';

/** A run whose end was just recorded may take a moment to finish (its pod exits after the summary). */
const orphanGraceMs = 60_000;

export async function stopOrphanRuns(
  deps: { readonly jobs: JobStore; readonly executor: Executor; readonly logger: Logger },
  graceMs: number = orphanGraceMs,
): Promise<number> {
  const { executor } = deps;
  if (!executor.listActive || !executor.reattach) return 0;
  const stopping: Promise<unknown>[] = [];
  for (const jobId of await executor.listActive()) {
    const job = await deps.jobs.get(jobId).catch(() => null);
    if (job === null || job.state === 'starting' || job.state === 'running') continue;
    if (Date.parse(job.updatedAt) > Date.now() - graceMs) continue;
    // A job waiting for its next attempt may have that attempt started any moment: only the
    // attempts before it can be orphans. Of an ended job, its last attempt's run.
    const attempt = job.state === 'queued' || job.state === 'waiting' ? job.attempt - 1 : job.attempt;
    if (attempt < 1) continue;
    const execution = await executor.reattach(jobId, { onRecords: async () => {} }, undefined, attempt);
    if (execution === null) continue;
    deps.logger.warn({ jobId, attempt, state: job.state }, 'stopping a run of a job that is not running');
    execution.cancel();
    stopping.push(execution.done.catch(() => undefined));
  }
  await Promise.all(stopping);
  return stopping.length;
}
