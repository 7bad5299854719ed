import { randomUUID } from 'node:crypto';
import type { TokenInfo, TokenStore } from '../../core/ports/token-store.ts';
import type { Role } from '../../core/roles.ts';
import { mintToken, tokenLookup, tokenMatches } from '../../core/token.ts';
import { insertAuditEvent } from './audit-log.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';
import { statement, type StoreOptions } from './statement.ts';

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  hash: Buffer;
  created_at: Date;
  expires_at: Date | null;
  created_by: string | null;
  job_id: string | null;
  live: boolean;
}

const infoFromRow = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at === null ? null : r.expires_at.toISOString(),
  createdBy: r.created_by,
  ...(r.job_id === null ? {} : { jobId: r.job_id }),
});

// A job token is live only while its job runs: one that outlived its run (a revocation lost with
// its dispatcher, a retry that put the job back in the queue) is refused all the same.
const columns = `id, name, role, hash, created_at, expires_at, created_by, job_id,
  (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (job_id IS NULL OR EXISTS (
    SELECT 1 FROM jobs j WHERE j.id = api_tokens.job_id AND j.state IN ('starting', 'running')))) AS live`;

export function createPgTokenStore(db: Db, options: StoreOptions = {}): TokenStore {
  const prepared = options.prepared ?? false;
  return {
    create: (input) =>
      pgCall(async () => {
        const minted = mintToken();
        const id = randomUUID();
        const audit = input.audit;
        const insert = (t: Pick<Db, 'one'>) =>
          t.one<TokenRow>(
            `INSERT INTO api_tokens (id, lookup, hash, name, role, created_by, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
            [id, minted.lookup, minted.hash, input.name, input.role, input.createdBy, input.expiresAt],
          );
        const row =
          audit === undefined
            ? await insert(db)
            : await db.tx(async (t) => {
                const r = await insert(t);
                await insertAuditEvent(t, { ...audit, target: { kind: 'token', id } });
                return r;
              });
        return { token: minted.token, info: infoFromRow(row) };
      }),
    verify: (token) =>
      pgCall(async () => {
        const lookup = tokenLookup(token);
        if (lookup === null) return null;
        const row = await db.oneOrNone<TokenRow>(statement(prepared, 'rc_token_verify', `SELECT ${columns} FROM api_tokens WHERE lookup = $1`, [lookup]));
        if (row === null || !tokenMatches(token, row.hash) || !row.live) return null;
        return infoFromRow(row);
      }),
    revoke: (id, audit) =>
      pgCall(() =>
        db.tx(async (t) => {
          const row = await t.oneOrNone('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING 1', [id]);
          if (row !== null && audit !== undefined) await insertAuditEvent(t, audit);
          return row !== null;
        }),
      ),
  };
}
