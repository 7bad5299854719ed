import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AppError, invalidInput, unavailable } from '../../core/errors.ts';
import type { Deps } from '../deps.ts';

export interface UploadBlobInput {
  readonly body: ReadableStream<Uint8Array> | null;
  /** The request's Content-Length, when it sent one: an oversized body is refused unread. */
  readonly contentLength?: number;
  readonly signal?: AbortSignal;
}

export interface UploadedBlob {
  /** What a job spec names as its tarball source: `s3://bucket/key` or `file:///…`. */
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
}

export const defaultBlobMaxBytes = 1024 ** 3;
export const blobKey = (sha256: string): string => `blobs/sha256/${sha256}`;

/**
 * Stores a tarball content-addressed by its sha256. The digest is only known at the end of the
 * body, so the body is spooled to a temporary file while it is hashed and counted (never held in
 * memory), then stored under `blobs/sha256/<hex>` unless an object of that size is already
 * there: uploading the same bytes twice is one object and the same answer.
 */
export async function uploadBlob(
  deps: Pick<Deps, 'storage' | 'settings'>,
  input: UploadBlobInput,
): Promise<{ blob: UploadedBlob; created: boolean }> {
  const storage = deps.storage;
  if (storage === undefined) throw unavailable('no object store is configured');
  const max = deps.settings.blobMaxBytes ?? defaultBlobMaxBytes;
  if (input.contentLength !== undefined && input.contentLength > max) throw tooLarge(max);
  if (input.body === null) throw invalidInput('the request body (a .tar or .tar.gz) is empty', { field: 'body' });

  const dir = await mkdtemp(join(tmpdir(), 'rc-blob-'));
  try {
    const file = join(dir, 'body');
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(tooLarge(max));
        if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512 - head.length)]);
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const source = Readable.fromWeb(input.body as WebReadableStream<Uint8Array>);
    await pipeline(source, meter, createWriteStream(file), input.signal === undefined ? {} : { signal: input.signal });
    if (size === 0) throw invalidInput('the request body (a .tar or .tar.gz) is empty', { field: 'body' });
    if (!looksLikeTarball(head)) throw invalidInput('the body is not a tar or gzip archive', { field: 'body' });

    const sha256 = hash.digest('hex');
    const key = blobKey(sha256);
    const existing = await storage.store.head(key);
    const created = existing === undefined || existing.size !== size || (existing.sha256 !== undefined && existing.sha256 !== sha256);
    if (created) {
      const stored = await storage.store.put(key, createReadStream(file), { contentType: 'application/octet-stream' });
      if (stored.sha256 !== sha256) throw unavailable(`blob ${key} was stored with a different digest; try again`);
    }
    return { blob: { url: storage.urlOf(key), sha256, size }, created };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const tooLarge = (max: number): AppError => new AppError('too_large', `blob over ${max} bytes (REACTORCIDE_BLOB_MAX_BYTES)`);

/** gzip magic, or a POSIX/GNU tar header (`ustar` at byte 257). */
function looksLikeTarball(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}
