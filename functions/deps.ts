import type { AuditLog } from '../core/ports/audit-log.ts';
import type { DefinitionStore } from '../core/ports/definition-store.ts';
import type { JobStore } from '../core/ports/job-store.ts';
import type { JobWaits } from '../core/ports/job-waits.ts';
import type { LogArchiveStore } from '../core/ports/log-archive-store.ts';
import type { LogStore } from '../core/ports/log-store.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import type { SecretStore } from '../core/ports/secret-store.ts';
import type { Readiness } from '../core/ports/readiness.ts';
import type { TokenStore } from '../core/ports/token-store.ts';

/** The structured logger handlers may use; pino satisfies it, tests pass a silent one. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Knobs the handlers need; parsed and validated once by the composition root. */
export interface ApiSettings {
  /** Request bodies above this many bytes are refused with 413. */
  readonly maxBodyBytes: number;
  /** How often `?follow=true` looks for new log records and for the job's end. */
  readonly followPollMs: number;
  /** `PUT /v1/blobs` bodies above this many bytes are refused with 413 (default 1 GiB). */
  readonly blobMaxBytes?: number;
  /**
   * Host names (or `*.domain` patterns) a contributor's `https://` source may come from
   * (REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS); absent or empty, only their own uploaded blobs.
   */
  readonly contributorSourceHosts?: readonly string[];
  /** How many child jobs one job may submit over all its runs (REACTORCIDE_MAX_CHILDREN_PER_JOB; default `defaultMaxChildrenPerJob`). */
  readonly maxChildrenPerJob?: number;
}

/**
 * Where blobs go and the URL a job spec uses to fetch one back: `s3://bucket/key` for S3, a
 * `file://` URL for the local-directory store (which only a runner on the same machine reads).
 */
export interface BlobStorage {
  readonly store: ObjectStore;
  urlOf(key: string): string;
}

/**
 * Everything a handler may touch. Handlers take `Pick<Deps, …>` of what they need; the
 * composition root (functions/compose) builds one Deps from config and adapters.
 */
export interface Deps {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly tokens: TokenStore;
  /** Job definitions: what a contributor may run (the trust model). */
  readonly definitions: DefinitionStore;
  /** Append-only record of who did what; admins read it through `GET /v1/audit`. */
  readonly audit: AuditLog;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly settings: ApiSettings;
  /** Finished jobs' log archives; absent, the logs route reads live chunks only. */
  readonly archives?: LogArchiveStore;
  /** Absent: archived logs cannot be served (503) and `PUT /v1/blobs` is 503. */
  readonly storage?: BlobStorage;
  /** Why a pending job waits and its place in its concurrency group; absent, `GET /v1/jobs/:id` reports null for both. */
  readonly waits?: JobWaits;
  /** Encrypted secrets; absent (no master key configured), the secret routes are 503. */
  readonly secrets?: SecretStore;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
