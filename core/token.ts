import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens: `rct_` + 43 base64url characters (32 random bytes). The first 12 characters after
 * the prefix are a lookup key kept in clear so a store can find the row by index; the whole token
 * is kept only as a SHA-256 hash and compared in constant time, so a database dump yields no
 * usable token and a timing probe learns nothing about the secret part.
 */
const prefix = 'rct_';
const lookupLength = 12;
const tokenPattern = /^rct_[A-Za-z0-9_-]{43}$/;

export interface MintedToken {
  readonly token: string;
  readonly lookup: string;
  readonly hash: Buffer;
}

export function mintToken(): MintedToken {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, lookup: tokenLookup(token) ?? '', hash: hashToken(token) };
}

/** The lookup key of a well-formed token, or null for anything that cannot be a token. */
export function tokenLookup(token: string): string | null {
  if (!tokenPattern.test(token)) return null;
  return token.slice(prefix.length, prefix.length + lookupLength);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function tokenMatches(token: string, storedHash: Uint8Array): boolean {
  const actual = hashToken(token);
  return storedHash.length === actual.length && timingSafeEqual(actual, storedHash);
}
