import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import { objectStoreContract } from '../../core/ports/test-support/object-store-contract.ts';
import { createS3Client } from './s3-client.ts';
import { createS3ObjectStore } from './s3-object-store.ts';
import { startS3rver, type RunningS3rver } from './test-support/s3rver-server.ts';

let server: RunningS3rver;
before(async () => {
  server = await startS3rver(['contract-bucket']);
});
after(async () => {
  await server.stop();
});

// Each store gets its own key prefix, so the contract's tests never see each other's objects.
objectStoreContract('s3', async () =>
  createS3ObjectStore(createS3Client(server.connection), {
    bucket: 'contract-bucket',
    keyPrefix: `t-${randomBytes(6).toString('hex')}/`,
  }),
);

test('s3: a store that does not answer is unavailable, a missing bucket is not_found', async () => {
  const down = createS3ObjectStore(
    createS3Client({ ...server.connection, endpoint: 'http://127.0.0.1:1' }),
    { bucket: 'contract-bucket' },
  );
  await assert.rejects(down.get('k'), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
  await assert.rejects(down.put('k', Buffer.from('x')), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
  const noBucket = createS3ObjectStore(createS3Client(server.connection), { bucket: 'no-such-bucket' });
  await assert.rejects(noBucket.get('k'), (e: unknown) => e instanceof AppError && e.code === 'not_found');
});
