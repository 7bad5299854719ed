import { setTimeout as sleep } from 'node:timers/promises';
import { notFound } from '../../core/errors.ts';
import { isTerminal } from '../../core/job-state.ts';
import type { OffsetLogRecord } from '../../core/ports/log-store.ts';
import type { Deps } from '../deps.ts';

export interface ReadLogsInput {
  readonly id: string;
  readonly offset: number;
  readonly follow: boolean;
  /** Ends a follow when the client goes away. */
  readonly signal?: AbortSignal;
}

const batchSize = 500;

/**
 * A job's log from `offset`, in batches. Without `follow` it ends at the current end of the
 * log; with it, it polls the database (the source of truth any replica can read) until the job
 * has ended and every record written before that end has been returned.
 * Resolves to not_found before anything is streamed, so a missing job is a 404, not an empty body.
 */
export async function readLogs(
  deps: Pick<Deps, 'jobs' | 'logs' | 'settings'>,
  input: ReadLogsInput,
): Promise<AsyncGenerator<readonly OffsetLogRecord[]>> {
  const job = await deps.jobs.get(input.id);
  if (job === null) throw notFound(`no job ${input.id}`);
  return batches(deps, input, isTerminal(job.state));
}

async function* batches(
  deps: Pick<Deps, 'jobs' | 'logs' | 'settings'>,
  input: ReadLogsInput,
  endedAtStart: boolean,
): AsyncGenerator<readonly OffsetLogRecord[]> {
  let offset = input.offset;
  let ended = endedAtStart || !input.follow;
  for (;;) {
    const slice = await deps.logs.read(input.id, offset, batchSize);
    if (slice.records.length > 0) {
      yield slice.records;
      offset = slice.nextOffset;
      if (slice.records.length === batchSize) continue;
    }
    if (ended || input.signal?.aborted === true) return;
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
