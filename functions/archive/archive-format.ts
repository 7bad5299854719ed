import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ndjsonLines } from '../../core/ndjson-lines.ts';
import type { OffsetLogRecord } from '../../core/ports/log-store.ts';

/** The object key of a job's log archive. */
export const logArchiveKey = (jobId: string): string => `logs/${jobId}.ndjson.gz`;

/**
 * One archived record as one NDJSON line: exactly the line the logs route sends for
 * `format=ndjson`, so an archive can be read by hand (`zcat | jq`) and served unchanged.
 */
export const encodeArchiveLine = (r: OffsetLogRecord): string =>
  JSON.stringify({ offset: r.offset, ts: r.ts, stream: r.stream, phase: r.phase, text: r.text }) + '\n';

/**
 * The records of a gzip NDJSON archive from `fromOffset` on, in batches of at most `batchSize`,
 * decompressed as they stream in: memory holds one batch, never the whole log.
 */
export async function* decodeArchive(body: Readable, fromOffset: number, batchSize: number): AsyncGenerator<OffsetLogRecord[]> {
  const gunzip = createGunzip();
  body.on('error', (err) => gunzip.destroy(err));
  const lines = ndjsonLines(body.pipe(gunzip));
  let batch: OffsetLogRecord[] = [];
  try {
    for await (const line of lines) {
      if (line === '') continue;
      const r = JSON.parse(line) as OffsetLogRecord;
      if (r.offset < fromOffset) continue;
      batch.push(r);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await lines.return(undefined);
    body.destroy();
    gunzip.destroy();
  }
}

