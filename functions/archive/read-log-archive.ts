import { unavailable } from '../../core/errors.ts';
import type { LogArchive } from '../../core/ports/log-archive-store.ts';
import type { OffsetLogRecord } from '../../core/ports/log-store.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { decodeArchive } from './archive-format.ts';

/**
 * An archived log from `fromOffset`, in batches, streamed out of the object store. Nothing when
 * the offset is past the archive or the archive was pruned (retention deleted the log).
 */
export async function* readLogArchive(
  objects: ObjectStore | undefined,
  archive: LogArchive,
  fromOffset: number,
  batchSize: number,
): AsyncGenerator<OffsetLogRecord[]> {
  if (archive.prunedAt !== null || fromOffset >= archive.nextOffset || archive.recordCount === 0) return;
  if (objects === undefined) throw unavailable(`the log of job ${archive.jobId} is archived but no object store is configured`);
  yield* decodeArchive(await objects.get(archive.key), fromOffset, batchSize);
}
