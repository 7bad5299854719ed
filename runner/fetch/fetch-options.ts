import type { Readable } from 'node:stream';

/** Opens `s3://bucket/key`; built by the composition root from adapters/s3 (createS3Opener). */
export type OpenS3 = (bucket: string, key: string, signal?: AbortSignal) => Promise<Readable>;

/** Caps that stop tar bombs and gzip bombs; every one is checked while bytes stream. */
export interface FetchLimits {
  /** Bytes downloaded (the archive as sent, compressed or not). */
  readonly maxArchiveBytes: number;
  /** Bytes of the uncompressed tar stream: file contents plus headers, so gzip bombs stop here. */
  readonly maxTotalBytes: number;
  /** Members of every kind: files, directories, links. */
  readonly maxFiles: number;
  /** UTF-8 bytes of a member's path, and of a link's target. */
  readonly maxPathLength: number;
}

export const defaultLimits: FetchLimits = Object.freeze({
  maxArchiveBytes: 2 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  maxFiles: 200_000,
  maxPathLength: 1024,
});

export interface RetryPolicy {
  /** Tries in all, the first included (default 4). */
  readonly attempts: number;
  /** The first backoff's ceiling; each retry doubles it, with full jitter (default 250 ms). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = Object.freeze({ attempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 });

export interface FetchProgress {
  readonly attempt: number;
  /** Archive bytes received so far in this attempt. */
  readonly bytes: number;
  /** Members extracted so far in this attempt. */
  readonly files: number;
}

export interface FetchOptions {
  /** Lowercase hex sha256 of the archive as downloaded; a mismatch leaves nothing behind. */
  readonly sha256?: string;
  /** Extract the contents of the archive's single top-level directory (what VCS hosts add). */
  readonly stripTopLevel?: boolean;
  /** Plain `http://` is refused unless this is true (default false). */
  readonly allowHttp?: boolean;
  /** `file://` is accepted unless this is false (default true). */
  readonly allowFile?: boolean;
  readonly limits?: Partial<FetchLimits>;
  /** Needed for `s3://` URLs. */
  readonly openS3?: OpenS3;
  readonly retries?: Partial<RetryPolicy>;
  /** Give up on an attempt when no byte has arrived for this long (default 30 s). */
  readonly idleTimeoutMs?: number;
  /** Cancels the fetch: the attempt stops, nothing is left behind. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FetchProgress) => void;
}

export interface FetchResult {
  /** sha256 of the archive bytes as downloaded. */
  readonly sha256: string;
  /** Archive bytes downloaded. */
  readonly bytes: number;
  /** Members extracted (files, directories and links). */
  readonly files: number;
  /** Bytes of the uncompressed tar stream. */
  readonly totalBytes: number;
  /** Attempts it took (1 when nothing was retried). */
  readonly attempts: number;
}
