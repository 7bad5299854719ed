import { coerceError } from '../../core/errors.ts';
import type { Logger } from '../deps.ts';
import type { ArchiveDeps } from './archive-deps.ts';
import { archiveJobLog } from './archive-job-log.ts';

export interface ArchivePassOptions {
  /** Jobs that ended less than this long ago are left alone: a runner's last records may still be in flight. */
  readonly graceMs?: number;
  /** Jobs archived per pass at most. */
  readonly limit?: number;
  readonly now?: Date;
}

export interface ArchivePassResult {
  readonly archived: number;
  readonly failed: number;
}

/** Ended jobs whose logs are due for archiving, longest ended first. */
export function findLogsDueForArchive(deps: Pick<ArchiveDeps, 'archives'>, options: ArchivePassOptions = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  return deps.archives.due(new Date(now.getTime() - (options.graceMs ?? 30_000)), options.limit ?? 50);
}

/**
 * One pass for a reconcile loop: archives each due job's log. A failure is logged and counted,
 * never thrown, so one bad job cannot stop the others; when the object store is down every job
 * fails the same way, keeps its chunks, and is due again on the next pass.
 */
export async function archiveDueLogs(
  deps: ArchiveDeps & { readonly logger: Logger },
  options: ArchivePassOptions = {},
): Promise<ArchivePassResult> {
  let archived = 0;
  let failed = 0;
  for (const jobId of await findLogsDueForArchive(deps, options)) {
    try {
      const outcome = await archiveJobLog(deps, jobId);
      if (outcome.status === 'archived') archived++;
    } catch (thrown) {
      failed++;
      deps.logger.warn({ err: coerceError(thrown), jobId }, 'log archive failed; the chunks are kept and it is retried');
    }
  }
  return { archived, failed };
}
