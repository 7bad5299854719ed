import type { Role } from '../roles.ts';

/** What a verified token tells about its bearer; never the token itself. */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly createdBy: string | null;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt: string | null;
  readonly createdBy: string | null;
}

/** Tokens stored only as hashes. The clear token exists once: in the value `create` returns. */
export interface TokenStore {
  create(input: CreateTokenInput): Promise<{ readonly token: string; readonly info: TokenInfo }>;
  /** The token's bearer, or null when it is unknown, malformed, expired or revoked. */
  verify(token: string): Promise<TokenInfo | null>;
  /** False when there was no such live token. */
  revoke(id: string): Promise<boolean>;
}
