import type { Role } from '../roles.ts';

/** A token minted for one run of a job; the clear token exists only here and in the runner's env. */
export interface MintedJobToken {
  readonly id: string;
  readonly token: string;
  /** The submitter's role, inherited: a job never holds more trust than whoever submitted it. */
  readonly role: Role;
  readonly expiresAt: string;
}

/**
 * Job tokens, stored hashed next to the other tokens (TokenStore.verify checks them). A job token
 * is live only while its job is starting or running and before its hard expiry, so an ended run's
 * token is refused even if the revocation at its end was lost with its dispatcher.
 */
export interface JobTokenStore {
  /**
   * A new token bound to `jobId`, carrying the role of the token that submitted the job. Null when
   * the job has no submitting token (submitted by the system) or no longer exists: such a job
   * gets no API access rather than a guessed role.
   */
  mint(input: { readonly jobId: string; readonly expiresAt: string }): Promise<MintedJobToken | null>;
  /**
   * Revokes every live token of the job; resolves to how many there were. A run's tokens need no
   * call: they are revoked in the transaction that moves its job out of starting or running.
   */
  revokeFor(jobId: string): Promise<number>;
}
