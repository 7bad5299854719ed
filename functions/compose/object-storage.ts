import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFsObjectStore } from '../../adapters/fs/fs-object-store.ts';
import { createS3Client } from '../../adapters/s3/s3-client.ts';
import { createS3ObjectStore } from '../../adapters/s3/s3-object-store.ts';
import type { BlobStorage } from '../deps.ts';
import type { ServerConfig } from './config.ts';

/**
 * The ObjectStore the config names, with the URL form a job spec uses to fetch a blob back:
 * `s3://bucket/key` on S3 (the runner reads it with the same REACTORCIDE_S3_* settings), or on
 * the local-directory store a `file://` URL of the stored file, which only a runner on the same
 * machine (the embedded default's process executor) can read.
 */
export function openObjectStorage(config: Pick<ServerConfig, 's3' | 'dataDir'>): BlobStorage {
  const s3 = config.s3;
  if (s3 !== null) {
    const client = createS3Client({
      ...(s3.endpoint === null ? {} : { endpoint: s3.endpoint }),
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
    });
    return { store: createS3ObjectStore(client, { bucket: s3.bucket }), urlOf: (key) => `s3://${s3.bucket}/${key}` };
  }
  const root = join(config.dataDir, 'objects');
  // The fs adapter keeps each object as a plain file under `<root>/objects/<key>`; the blob
  // upload test reads the file back through this URL, so a layout change is caught there.
  return { store: createFsObjectStore({ root }), urlOf: (key) => pathToFileURL(join(root, 'objects', key)).href };
}
