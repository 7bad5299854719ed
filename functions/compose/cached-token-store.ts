import { createHash } from 'node:crypto';
import type { TokenInfo, TokenStore } from '../../core/ports/token-store.ts';

export interface TokenCacheOptions {
  /** How long a verified token is trusted without asking the database; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Remembers successful verifications for a short time so that a request costs one database
 * round trip instead of two. It is a cache of the database, not state of its own: expiry is
 * still checked on every use, a revocation through this process takes effect at once, and one
 * through another replica within `ttlMs`. Failed verifications are never cached, so a new token
 * works immediately. Keys are token hashes, so no clear token outlives its request here.
 */
export function cachedTokenStore(inner: TokenStore, options: TokenCacheOptions): TokenStore {
  if (options.ttlMs <= 0) return inner;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { info: TokenInfo; until: number }>();
  const inFlight = new Map<string, Promise<TokenInfo | null>>();
  const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');

  return {
    create: (input) => inner.create(input),
    async verify(token) {
      const key = keyOf(token);
      const hit = cache.get(key);
      const t = now();
      if (hit !== undefined && hit.until > t && (hit.info.expiresAt === null || Date.parse(hit.info.expiresAt) > t)) {
        return hit.info;
      }
      cache.delete(key);
      // Requests that arrive together with one token (a burst of submits) share one lookup.
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const lookup = inner.verify(token).then((info) => {
        // A job token dies with its run, at a moment no replica is told of: never cached.
        if (info !== null && info.jobId === undefined) {
          if (cache.size >= maxEntries) cache.delete(cache.keys().next().value ?? '');
          cache.set(key, { info, until: t + options.ttlMs });
        }
        return info;
      });
      inFlight.set(key, lookup);
      try {
        return await lookup;
      } finally {
        inFlight.delete(key);
      }
    },
    async revoke(id, audit) {
      for (const [key, entry] of cache) if (entry.info.id === id) cache.delete(key);
      return inner.revoke(id, audit);
    },
  };
}
