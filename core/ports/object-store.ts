import type { Readable } from 'node:stream';
import { invalidInput } from '../errors.ts';

/**
 * Where whole blobs live: job code tarballs (content-addressed by sha256) and finished jobs' log
 * archives. The embedded default is a local directory; production is S3 or anything that speaks
 * its protocol. Bodies always travel as streams so no caller ever holds a whole object in memory.
 *
 * Errors are core/errors.ts codes: a missing key is `not_found`, a store that cannot be reached
 * (5xx, reset, timeout) is `unavailable` — callers retry those and nothing else.
 */
export interface ObjectStore {
  /**
   * Stores `body` under `key`, replacing any object there. Readers see the old object or the new
   * one, never half of one. The digest and size are of the bytes actually stored.
   */
  put(key: string, body: Readable | Uint8Array, options?: PutOptions): Promise<PutResult>;
  /** The object's bytes from `offset` (default 0), at most `length` of them. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The object's metadata, or undefined when there is no such key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Removes the object; removing a missing key is not an error (deletes are retried). */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in ascending key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export interface PutResult {
  readonly key: string;
  readonly size: number;
  /** Lowercase hex sha256 of the stored bytes. */
  readonly sha256: string;
}

export interface ByteRange {
  readonly offset?: number;
  readonly length?: number;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly contentType?: string;
  /** Known when the object was stored through an ObjectStore; absent for foreign objects. */
  readonly sha256?: string;
}

const maxKeyBytes = 1024;

/**
 * Returns `key` if it is safe to use as an object key, else throws `invalid_input`. Keys are
 * relative slash-separated paths: no leading slash, no empty, `.` or `..` segment, no backslash,
 * no control character — so a local-directory store cannot be steered outside its root and the
 * same key means the same object in every adapter.
 */
export function validateObjectKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw invalidInput('object key must be a non-empty string');
  if (Buffer.byteLength(key, 'utf8') > maxKeyBytes) {
    throw invalidInput(`object key is longer than ${maxKeyBytes} bytes`, { key: key.slice(0, 64) });
  }
  if (/[\u0000-\u001f\u007f\\]/.test(key)) {
    throw invalidInput('object key contains a control character or backslash', { key });
  }
  if (key.startsWith('/')) throw invalidInput('object key must be relative', { key });
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalidInput('object key has an empty, "." or ".." segment', { key });
    }
  }
  return key;
}

/** Validates a list prefix: like a key, but it may be empty or end with a slash. */
export function validateObjectPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
