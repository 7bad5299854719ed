/**
 * The shapes the API speaks, as the client sends and receives them. Domain types come from
 * core/ (one definition for server and client); what is here is only what a request may leave
 * out because the server fills a default.
 */
import type { DefinitionBody, JobDefinition } from '../core/job-definition.ts';
import type { CodeLocation, ConcurrencyPolicy, JobSpec } from '../core/job-spec.ts';
import type { JobState, TerminalState } from '../core/job-state.ts';
import type { Job } from '../core/job.ts';
import type { AuditAction, AuditEntry } from '../core/ports/audit-log.ts';
import type { OffsetLogRecord } from '../core/ports/log-store.ts';
import type { SecretInfo } from '../core/ports/secret-store.ts';
import type { TokenInfo } from '../core/ports/token-store.ts';
import type { Role } from '../core/roles.ts';

export type { CodeLocation, Job, JobSpec, JobState, OffsetLogRecord, Role, TerminalState, TokenInfo };

/** A submit body: a JobSpec where every field the server defaults may be left out. */
export type SubmitSpec = Partial<Omit<JobSpec, 'source' | 'concurrency' | 'dependsOn' | 'retry' | 'definition'>> & {
  readonly source: CodeLocation;
  readonly concurrency?: { readonly group: string; readonly limit?: number; readonly policy?: ConcurrencyPolicy };
  readonly dependsOn?: readonly { readonly jobId: string; readonly states?: readonly TerminalState[] }[];
  readonly retry?: { readonly maxAttempts: number; readonly backoffSeconds?: number; readonly onFailed?: boolean };
};

export interface JobPage {
  readonly jobs: readonly Job[];
  /** Pass back as `cursor` for the next page; null on the last. */
  readonly nextCursor: string | null;
}

export interface ListJobsFilter {
  readonly state?: JobState | readonly JobState[];
  /** `key=value` pairs; every one must match. */
  readonly label?: string | readonly string[];
  readonly name?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  /** Only the children of this job (a job token lists only its own, whatever is asked). */
  readonly parent?: string;
  /** 1–200, default 50. */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role: Role;
  readonly expiresInSeconds?: number;
}

export interface CreatedToken extends TokenInfo {
  /** The bearer token, shown only in this answer. */
  readonly token: string;
}

export interface UploadedBlob {
  /** The tarball URL to put in a job spec's source. */
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
}

export interface LogText {
  readonly text: string;
  /** The offset to read from next. */
  readonly nextOffset: number;
}

export interface LogRecords {
  readonly records: readonly OffsetLogRecord[];
  readonly nextOffset: number;
}

/**
 * A run of a job definition: what a contributor may submit (`definition` is `name@version`).
 * The job code, entrypoint, secrets and caps come from the approved version; maintainers may
 * add the extras.
 */
export interface DefinitionRunSpec {
  readonly definition: string;
  readonly source: CodeLocation;
  readonly params?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly queue?: string;
  readonly priority?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** A definition version as a maintainer writes it; the server numbers the version. */
export type CreateDefinitionInput = Omit<DefinitionBody, 'secrets' | 'secretsByRole' | 'params'> &
  Partial<Pick<DefinitionBody, 'secrets' | 'secretsByRole' | 'params'>> & { readonly name: string };

/** An audit entry as the API shows it. */
export type AuditEntryView = AuditEntry;

export interface AuditPageView {
  readonly entries: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

export interface ListAuditFilter {
  readonly action?: AuditAction | readonly AuditAction[];
  /** Token id of the actor. */
  readonly actor?: string;
  readonly targetKind?: string;
  readonly targetId?: string;
  readonly after?: string;
  readonly before?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export type { AuditAction, AuditEntry, JobDefinition, SecretInfo };
