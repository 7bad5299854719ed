import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3ConnectionConfig } from '../s3-client.ts';

export interface RunningS3rver {
  /** Connection settings for the adapter: loopback endpoint, path style, s3rver's fixed keys. */
  readonly connection: S3ConnectionConfig;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A real S3-protocol server on a free loopback port, its data in a fresh temp directory. */
export async function startS3rver(buckets: readonly string[]): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    connection: {
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
