import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { AppError, notFound, unavailable } from '../../core/errors.ts';
import { isTerminal } from '../../core/job-state.ts';
import type { LogArchive } from '../../core/ports/log-archive-store.ts';
import type { ArchiveDeps } from './archive-deps.ts';
import { logArchiveKey } from './archive-format.ts';

export type ArchiveOutcome =
  | { readonly status: 'archived'; readonly archive: LogArchive; readonly deletedChunks: number }
  | { readonly status: 'already'; readonly archive: LogArchive }
  | { readonly status: 'not_ended' };

/** Chunks read per query while streaming; each holds one appended batch of records. */
const chunkPage = 50;

/**
 * Compacts an ended job's log chunks into one gzip NDJSON object, confirms the object is there
 * with the size and digest written, records the archive and only then deletes the chunks, in
 * that order, so a failure at any step leaves the log whole in the chunks. An object store that
 * is down throws `unavailable` and changes nothing; calling again later retries from scratch and
 * overwrites the same key, so a retry never duplicates records.
 */
export async function archiveJobLog(deps: ArchiveDeps, jobId: string): Promise<ArchiveOutcome> {
  const job = await deps.jobs.get(jobId);
  if (job === null) throw notFound(`no job ${jobId}`);
  if (!isTerminal(job.state)) return { status: 'not_ended' };
  const existing = await deps.archives.get(jobId);
  if (existing !== null) return { status: 'already', archive: existing };

  const key = logArchiveKey(jobId);
  const tally = { records: 0, nextOffset: 0 };
  const body = Readable.from(ndjsonLines(deps, jobId, tally), { highWaterMark: 4 });
  const gzip = createGzip();
  body.on('error', (err) => gzip.destroy(err));
  const written = await deps.objects.put(key, body.pipe(gzip), { contentType: 'application/x-ndjson+gzip' });

  const seen = await deps.objects.head(key);
  if (seen === undefined || seen.size !== written.size || (seen.sha256 !== undefined && seen.sha256 !== written.sha256)) {
    throw unavailable(`log archive ${key} could not be confirmed after writing`);
  }
  const record = { jobId, key, recordCount: tally.records, nextOffset: tally.nextOffset, size: written.size, sha256: written.sha256 };
  const { archive, deletedChunks } = await deps.archives.commit(record);
  return { status: 'archived', archive, deletedChunks };
}

/** The job's live records as NDJSON text, a page of chunks at a time; `tally` counts what was emitted. */
async function* ndjsonLines(
  deps: ArchiveDeps,
  jobId: string,
  tally: { records: number; nextOffset: number },
): AsyncGenerator<string> {
  for (;;) {
    const chunks = await deps.archives.chunks(jobId, tally.nextOffset, chunkPage);
    if (chunks.length === 0) return;
    for (const chunk of chunks) {
      if (chunk.firstOffset !== tally.nextOffset) {
        throw new AppError('internal', `log of job ${jobId} has a gap at offset ${tally.nextOffset}`);
      }
      tally.records += chunk.recordCount;
      tally.nextOffset = chunk.firstOffset + chunk.recordCount;
    }
    // Chunk by chunk, not one joined page: strings this small die young, so the garbage of a
    // 100 MB log never piles up in the old generation.
    for (const chunk of chunks) yield chunk.ndjson;
    if (chunks.length < chunkPage) return;
  }
}
