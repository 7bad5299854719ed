import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { translateS3Error } from './s3-errors.ts';

export interface ReadRange {
  readonly offset?: number;
  readonly length?: number;
}

/**
 * Opens one object's bytes as a Node stream. Errors before the first byte and errors while the
 * body streams are both translated, so a reset halfway through reaches the caller as
 * `unavailable` (and is retried) rather than as a vendor error.
 */
export async function readS3Object(
  client: S3Client,
  bucket: string,
  key: string,
  range: ReadRange = {},
  signal?: AbortSignal,
): Promise<Readable> {
  const what = `s3://${bucket}/${key}`;
  const offset = range.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new AppError('invalid_input', 'range offset must be a non-negative integer');
  if (range.length !== undefined && (!Number.isSafeInteger(range.length) || range.length < 0)) {
    throw new AppError('invalid_input', 'range length must be a non-negative integer');
  }
  if (range.length === 0) return Readable.from([]);
  const header =
    offset === 0 && range.length === undefined
      ? undefined
      : `bytes=${offset}-${range.length === undefined ? '' : offset + range.length - 1}`;
  let body: unknown;
  try {
    const res = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(header ? { Range: header } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    body = res.Body;
  } catch (err) {
    // Reading past the end is an empty read, as it is for a file; logs are read by offset.
    if (isRangeNotSatisfiable(err)) return Readable.from([]);
    throw translateS3Error(err, `reading ${what}`);
  }
  if (!(body instanceof Readable)) throw new AppError('internal', `reading ${what}: the SDK returned no Node stream`);
  const out = new PassThrough();
  body.on('error', (err) => out.destroy(translateS3Error(err, `reading ${what}`)));
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}

function isRangeNotSatisfiable(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}
