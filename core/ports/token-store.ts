import type { Role } from '../roles.ts';
import type { AuditEvent } from './audit-log.ts';

/** What a verified token tells about its bearer; never the token itself. */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly createdBy: string | null;
  /**
   * Set for a job token: the job it is bound to. Such a token acts only for that job (submit
   * children, read itself and its children, cancel its children) and dies with the job's run.
   */
  readonly jobId?: string;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt: string | null;
  readonly createdBy: string | null;
  /** Recorded with the token in one transaction; its target id becomes the new token's id. */
  readonly audit?: AuditEvent;
}

/** Tokens stored only as hashes. The clear token exists once: in the value `create` returns. */
export interface TokenStore {
  create(input: CreateTokenInput): Promise<{ readonly token: string; readonly info: TokenInfo }>;
  /** The token's bearer, or null when it is unknown, malformed, expired or revoked. */
  verify(token: string): Promise<TokenInfo | null>;
  /** False when there was no such live token; `audit` is recorded with the revocation only. */
  revoke(id: string, audit?: AuditEvent): Promise<boolean>;
}
