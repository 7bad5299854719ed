import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  validateObjectKey,
  validateObjectPrefix,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '../../core/ports/object-store.ts';
import { translateS3Error } from './s3-errors.ts';
import { readS3Object } from './s3-object-reader.ts';

export interface S3ObjectStoreConfig {
  readonly bucket: string;
  /** Prepended to every key, e.g. `reactorcide/`, to share a bucket with other tenants. */
  readonly keyPrefix?: string;
  /** Where streamed uploads are spooled before sending (default: the OS temp directory). */
  readonly spoolDir?: string;
}

/** Object metadata key holding our sha256; S3 stores it as `x-amz-meta-sha256`. */
const shaMeta = 'sha256';

/**
 * An ObjectStore on S3 or any S3-protocol store. A streamed put is spooled to a temporary file
 * first: S3 needs the length up front, the sha256 goes into the object's metadata so it must be
 * known before sending, and a spooled body can be resent when the SDK retries. Single PutObject
 * requests carry up to 5 GiB, far above any log archive or code tarball this system stores.
 */
export function createS3ObjectStore(client: S3Client, config: S3ObjectStoreConfig): ObjectStore {
  const { bucket } = config;
  const keyPrefix = config.keyPrefix ?? '';
  const fullKey = (key: string): string => keyPrefix + validateObjectKey(key);
  const label = (key: string): string => `s3://${bucket}/${keyPrefix}${key}`;

  async function put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const target = fullKey(key);
    const send = async (payload: Readable | Uint8Array, size: number, sha256: string): Promise<PutResult> => {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: target,
            Body: payload,
            ContentLength: size,
            ...(options.contentType ? { ContentType: options.contentType } : {}),
            Metadata: { [shaMeta]: sha256 },
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
      } catch (err) {
        throw translateS3Error(err, `writing ${label(key)}`);
      }
      return { key, size, sha256 };
    };
    if (body instanceof Uint8Array) {
      return send(body, body.byteLength, createHash('sha256').update(body).digest('hex'));
    }
    const dir = await mkdtemp(join(config.spoolDir ?? tmpdir(), 'reactorcide-s3-put-'));
    try {
      const spool = join(dir, 'body');
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(body, meter, createWriteStream(spool, { flags: 'wx' }), { signal: options.signal });
      return await send(createReadStream(spool), size, hash.digest('hex'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function get(key: string, range: ByteRange = {}): Promise<Readable> {
    return readS3Object(client, bucket, fullKey(key), range);
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
      const sha256 = res.Metadata?.[shaMeta];
      return {
        key,
        size: res.ContentLength ?? 0,
        lastModified: res.LastModified ?? new Date(0),
        ...(res.ContentType ? { contentType: res.ContentType } : {}),
        ...(sha256 ? { sha256 } : {}),
      };
    } catch (err) {
      const translated = translateS3Error(err, `reading ${label(key)}`);
      if (translated.code === 'not_found') return undefined;
      throw translated;
    }
  }

  async function del(key: string): Promise<void> {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
    } catch (err) {
      const translated = translateS3Error(err, `deleting ${label(key)}`);
      if (translated.code !== 'not_found') throw translated;
    }
  }

  async function* list(prefix: string): AsyncIterable<ObjectInfo> {
    validateObjectPrefix(prefix);
    let token: string | undefined;
    do {
      let res;
      try {
        res = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: keyPrefix + prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (err) {
        throw translateS3Error(err, `listing s3://${bucket}/${keyPrefix}${prefix}`);
      }
      for (const obj of res.Contents ?? []) {
        if (obj.Key === undefined || !obj.Key.startsWith(keyPrefix)) continue;
        yield { key: obj.Key.slice(keyPrefix.length), size: obj.Size ?? 0, lastModified: obj.LastModified ?? new Date(0) };
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  return { put, get, head, delete: del, list };
}
