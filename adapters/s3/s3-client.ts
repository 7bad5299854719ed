import { S3Client } from '@aws-sdk/client-s3';

/** How to reach an S3-protocol store; the composition root builds this from validated config. */
export interface S3ConnectionConfig {
  /** e.g. `http://127.0.0.1:9000` for MinIO or s3rver; omit for AWS itself. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need. */
  readonly forcePathStyle?: boolean;
  /** Omit to use the SDK's default chain (env, profile, instance role). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts the SDK itself makes per request before the error reaches us (default 3). */
  readonly maxAttempts?: number;
}

/**
 * One S3Client for a connection config. Checksums are sent and checked only when an operation
 * requires them: the SDK's newer default (trailing CRC checksums on every upload) is something
 * many S3-compatible stores do not speak, and the ObjectStore keeps its own sha256 anyway.
 */
export function createS3Client(config: S3ConnectionConfig): S3Client {
  return new S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? false,
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    maxAttempts: config.maxAttempts ?? 3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
