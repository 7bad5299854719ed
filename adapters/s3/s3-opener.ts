import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { readS3Object } from './s3-object-reader.ts';

/** Opens `s3://bucket/key` for reading; what the runner's fetcher takes for s3:// URLs. */
export type S3Opener = (bucket: string, key: string, signal?: AbortSignal) => Promise<Readable>;

/**
 * The runner may not import the SDK, so the composition root builds this from the S3 adapter and
 * hands it to the fetcher. Unlike the ObjectStore it reads any bucket the credentials allow,
 * because a job names its code by full URL.
 */
export function createS3Opener(client: S3Client): S3Opener {
  return (bucket, key, signal) => readS3Object(client, bucket, key, {}, signal);
}
