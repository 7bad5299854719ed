import type { Role } from '../roles.ts';

/**
 * The actions the audit log records. Writes the trust model cares about: who ran what, who
 * stopped it, who changed what may run and with which secrets, and which secrets a run received.
 */
export const auditActions = [
  'job.submit',
  'job.cancel',
  'job.secrets',
  // A run's start refused by the dispatcher: its definition version's approval was revoked.
  'job.refused',
  'token.create',
  'token.revoke',
  'secret.put',
  'secret.delete',
  'secret.rotate',
  'definition.create',
  'definition.approve',
  'definition.revoke',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who acted: a token (never the token itself). Null for the system (the dispatcher, a bootstrap). */
export interface AuditActor {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
}

/** What an entry is about, e.g. `{kind: 'job', id}`, `{kind: 'secret', id: 'NPM_TOKEN'}`. */
export interface AuditTarget {
  readonly kind: string;
  readonly id: string;
}

export interface AuditEvent {
  readonly action: AuditAction;
  readonly actor: AuditActor | null;
  readonly target: AuditTarget;
  /** sha256 of the job code the action concerns, when there is one. */
  readonly jobCodeDigest?: string | null;
  /** Names of secrets involved (handed out at dispatch, or written); never values. */
  readonly secretNames?: readonly string[];
  /** Small extra facts (a definition version, a role granted); never a secret value. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends Required<Omit<AuditEvent, 'detail'>> {
  readonly id: string;
  readonly at: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditFilter {
  readonly actions?: readonly AuditAction[];
  readonly actorTokenId?: string;
  readonly targetKind?: string;
  readonly targetId?: string;
  readonly after?: string;
  readonly before?: string;
}

/** Keyset position: the last entry of the previous page, newest first. */
export interface AuditCursor {
  readonly createdAt: string;
  readonly id: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next: AuditCursor | null;
}

/**
 * An append-only record of actions. Where the action is itself a database write, the store that
 * performs it takes the `AuditEvent` and writes it in the same transaction (so an action is never
 * unaudited); `record` is for actions that write nothing else (secrets handed to a run).
 */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(filter: AuditFilter, page: { readonly limit: number; readonly after?: AuditCursor }): Promise<AuditPage>;
}
