import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerConfig } from './config.ts';
import { openObjectStorage } from './object-storage.ts';

test('S3 settings select the S3 store and s3:// URLs; a wrong one names the setting', () => {
  const config = parseServerConfig({
    REACTORCIDE_S3_BUCKET: 'ci-bucket',
    REACTORCIDE_S3_ENDPOINT: 'http://127.0.0.1:9000',
    REACTORCIDE_S3_FORCE_PATH_STYLE: 'true',
    REACTORCIDE_BLOB_MAX_BYTES: '2048',
    REACTORCIDE_LOG_RETENTION_DAYS: '30',
  });
  assert.deepEqual(config.s3, { bucket: 'ci-bucket', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true });
  assert.equal(config.blobMaxBytes, 2048);
  assert.equal(config.logRetentionDays, 30);
  assert.equal(openObjectStorage(config).urlOf('blobs/sha256/ab'), 's3://ci-bucket/blobs/sha256/ab');
  assert.throws(() => parseServerConfig({ REACTORCIDE_S3_BUCKET: 'No_Such' }), /REACTORCIDE_S3_BUCKET/);
  assert.throws(() => parseServerConfig({ REACTORCIDE_S3_BUCKET: 'ok-bucket', REACTORCIDE_S3_ENDPOINT: 'ftp://x' }), /REACTORCIDE_S3_ENDPOINT/);
  assert.throws(() => parseServerConfig({ REACTORCIDE_BLOB_MAX_BYTES: '-1' }), /REACTORCIDE_BLOB_MAX_BYTES/);
});

test('without a bucket: the local store under the data directory, and file:// URLs of the stored files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rc-objects-'));
  try {
    const config = parseServerConfig({ REACTORCIDE_DATA_DIR: dir });
    assert.equal(config.s3, null);
    assert.equal(config.logRetentionDays, 0);
    const storage = openObjectStorage(config);
    await storage.store.put('blobs/sha256/cafe', Buffer.from('bytes'));
    const url = storage.urlOf('blobs/sha256/cafe');
    assert.match(url, /^file:\/\//);
    assert.equal(await readFile(fileURLToPath(url), 'utf8'), 'bytes');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
