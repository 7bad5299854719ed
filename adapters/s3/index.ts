export { createS3Client, type S3ConnectionConfig } from './s3-client.ts';
export { createS3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';
export { createS3Opener, type S3Opener } from './s3-opener.ts';
export { translateS3Error } from './s3-errors.ts';
