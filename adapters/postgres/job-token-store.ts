import { randomUUID } from 'node:crypto';
import type { JobTokenStore } from '../../core/ports/job-token-store.ts';
import type { Role } from '../../core/roles.ts';
import { mintToken } from '../../core/token.ts';
import { insertAuditEvent } from './audit-log.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

/**
 * Job tokens live in `api_tokens` with `job_id` set, so the one verify path (token-store.ts)
 * serves them: hashed like every token, and live only while their job is starting or running.
 * The role is copied from the token that submitted the job in the same statement that inserts
 * the row, so a token is never minted with a role nobody holds. Minting and revoking are token
 * writes like any other: each is audited (the system as actor) in its own transaction.
 */
export function createPgJobTokenStore(db: Db): JobTokenStore {
  return {
    mint: ({ jobId, expiresAt }) =>
      pgCall(() =>
        db.tx(async (t) => {
          const minted = mintToken();
          const row = await t.oneOrNone<{ id: string; role: Role; expires_at: Date }>(
            `INSERT INTO api_tokens (id, lookup, hash, name, role, created_by, job_id, expires_at)
             SELECT $1, $2, $3, 'job ' || j.id::text, t.role, t.id, j.id, $5::timestamptz
               FROM jobs j JOIN api_tokens t ON t.id = j.submitted_by
              WHERE j.id = $4
             RETURNING id, role, expires_at`,
            [randomUUID(), minted.lookup, minted.hash, jobId, expiresAt],
          );
          if (row === null) return null;
          const expires = row.expires_at.toISOString();
          await insertAuditEvent(t, {
            action: 'token.create',
            actor: null,
            target: { kind: 'token', id: row.id },
            detail: { jobId, role: row.role, expiresAt: expires },
          });
          return { id: row.id, token: minted.token, role: row.role, expiresAt: expires };
        }),
      ),
    revokeFor: (jobId) =>
      pgCall(() =>
        db.tx(async (t) => {
          const rows = await t.manyOrNone<{ id: string }>(
            'UPDATE api_tokens SET revoked_at = now() WHERE job_id = $1 AND revoked_at IS NULL RETURNING id',
            [jobId],
          );
          for (const { id } of rows) {
            await insertAuditEvent(t, { action: 'token.revoke', actor: null, target: { kind: 'token', id }, detail: { jobId, reason: 'the run ended' } });
          }
          return rows.length;
        }),
      ),
  };
}
