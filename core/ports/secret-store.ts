import type { AuditEvent } from './audit-log.ts';

/** What anyone may know about a secret: never its value. */
export interface SecretInfo {
  readonly name: string;
  /** The master key that sealed the current value. */
  readonly keyId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Token id of the last writer. */
  readonly updatedBy: string | null;
}

/**
 * Named secret values, encrypted at rest. Values go in through `put` and come out only through
 * `resolve`, which the dispatcher calls to hand a run its secrets; no API route reaches it.
 * Writes take the audit entry that records them and commit it in the same transaction.
 */
export interface SecretStore {
  /** Creates or replaces; the value is sealed under the current master key. */
  put(name: string, value: string, by: { readonly tokenId: string | null; readonly audit?: AuditEvent }): Promise<SecretInfo>;
  /** False when there was no such secret. */
  delete(name: string, by: { readonly audit?: AuditEvent }): Promise<boolean>;
  list(): Promise<readonly SecretInfo[]>;
  /**
   * Values by name, for a run. Throws `not_found` naming every missing secret, or `internal`
   * naming a secret that fails to decrypt (altered data, a wrong or missing master key).
   */
  resolve(names: readonly string[]): Promise<Readonly<Record<string, string>>>;
  /**
   * Re-seals every value not under the current master key. Values that fail to open are left as
   * they are and named in `failed` (one altered row does not stop the others).
   */
  rotate(): Promise<{ readonly rotated: number; readonly failed: readonly string[] }>;
}
