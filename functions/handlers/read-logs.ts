import { setTimeout as sleep } from 'node:timers/promises';
import { notFound } from '../../core/errors.ts';
import { isTerminal } from '../../core/job-state.ts';
import type { OffsetLogRecord } from '../../core/ports/log-store.ts';
import { readLogArchive } from '../archive/read-log-archive.ts';
import type { Deps } from '../deps.ts';

export interface ReadLogsInput {
  readonly id: string;
  readonly offset: number;
  readonly follow: boolean;
  /** Ends a follow when the client goes away. */
  readonly signal?: AbortSignal;
}

type LogDeps = Pick<Deps, 'jobs' | 'logs' | 'settings' | 'archives' | 'storage'>;

const batchSize = 500;

/**
 * A job's log from `offset`, in batches. Without `follow` it ends at the current end of the
 * log; with it, it polls the database (the source of truth any replica can read) until the job
 * has ended and every record written before that end has been returned. An ended job's log is
 * read from its archive when it has one, then from any chunks past the archive.
 * Resolves to not_found before anything is streamed, so a missing job is a 404, not an empty body.
 */
export async function readLogs(deps: LogDeps, input: ReadLogsInput): Promise<AsyncGenerator<readonly OffsetLogRecord[]>> {
  const job = await deps.jobs.get(input.id);
  if (job === null) throw notFound(`no job ${input.id}`);
  return batches(deps, input, isTerminal(job.state));
}

async function* batches(deps: LogDeps, input: ReadLogsInput, endedAtStart: boolean): AsyncGenerator<readonly OffsetLogRecord[]> {
  let offset = input.offset;
  let ended = endedAtStart;
  let archiveRead = false;
  for (;;) {
    if (ended && !archiveRead) {
      offset = yield* fromArchive(deps, input.id, offset);
      archiveRead = true;
    }
    const slice = await deps.logs.read(input.id, offset, batchSize);
    if (slice.records.length > 0) {
      yield slice.records;
      offset = slice.nextOffset;
      if (slice.records.length === batchSize) continue;
    }
    if (ended) {
      // The archiver may have replaced the chunks while they were being read: look once more.
      const before = offset;
      offset = yield* fromArchive(deps, input.id, offset);
      if (offset === before) return;
      continue;
    }
    if (!input.follow || input.signal?.aborted === true) return;
    // Checked only after an empty read; a record written before the job ended is then picked
    // up by the drain this check leads to.
    const now = await deps.jobs.get(input.id);
    if (now === null || isTerminal(now.state)) {
      ended = true;
      continue;
    }
    try {
      await sleep(deps.settings.followPollMs, undefined, input.signal === undefined ? {} : { signal: input.signal });
    } catch {
      return;
    }
  }
}

/** Yields the archived records from `offset` and returns the offset to read chunks from next. */
async function* fromArchive(deps: LogDeps, jobId: string, offset: number): AsyncGenerator<readonly OffsetLogRecord[], number> {
  const archive = deps.archives === undefined ? null : await deps.archives.get(jobId);
  if (archive === null || archive.prunedAt !== null || offset >= archive.nextOffset) return offset;
  for await (const batch of readLogArchive(deps.storage?.store, archive, offset, batchSize)) yield batch;
  return archive.nextOffset;
}
