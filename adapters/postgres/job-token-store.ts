import { randomUUID } from 'node:crypto';
import type { JobTokenStore } from '../../core/ports/job-token-store.ts';
import type { Role } from '../../core/roles.ts';
import { mintToken } from '../../core/token.ts';
import type { Db } from './database.ts';
import { isoFormat } from './job-row.ts';
import { pgCall } from './pg-errors.ts';
import { statement, type StoreOptions } from './statement.ts';

/**
 * Job tokens live in `api_tokens` with `job_id` set, so the one verify path (token-store.ts)
 * serves them: hashed like every token, and live only while their job is starting or running.
 * The role is copied from the token that submitted the job in the same statement that inserts
 * the row, so a token is never minted with a role nobody holds. Minting and revoking are token
 * writes like any other: each is audited (the system as actor) in the same statement.
 */
export function createPgJobTokenStore(db: Db, options: StoreOptions = {}): JobTokenStore {
  const prepared = options.prepared ?? false;
  return {
    mint: ({ jobId, expiresAt }) =>
      pgCall(async () => {
        const minted = mintToken();
        // One statement: the token and its audit entry commit together, in one round trip.
        const row = await db.oneOrNone<{ id: string; role: Role; expires_at: Date }>(
          statement(
            prepared,
            'rc_job_token_mint',
            `WITH j AS (SELECT id, submitted_by FROM jobs WHERE id = $4::uuid),
             ${jobTokenMintCtes({ jobs: 'j', id: '$1::uuid', lookup: '$2::text', hash: '$3::bytea', expiresAt: '$5::timestamptz' })}
             SELECT id, role, expires_at FROM tok`,
            [randomUUID(), minted.lookup, minted.hash, jobId, expiresAt],
          ),
        );
        if (row === null) return null;
        return { id: row.id, token: minted.token, role: row.role, expiresAt: row.expires_at.toISOString() };
      }),
    revokeFor: (jobId) =>
      pgCall(async () => {
        const rows = await db.manyOrNone<{ id: string }>(
          `WITH tok AS (
             UPDATE api_tokens SET revoked_at = now() WHERE job_id = $1 AND revoked_at IS NULL RETURNING id
           ), audit AS (
             ${auditInsert('token.revoke', `jsonb_build_object('jobId', $1::text, 'reason', 'the run ended')`, 'tok')}
           )
           SELECT id FROM tok`,
          [jobId],
        );
        return rows.length;
      }),
  };
}

/**
 * CTEs `tok` and `tok_audit` that mint a job token for the job row in `jobs` (a CTE or table with
 * `id` and `submitted_by`): the token's row, with the role of the token that submitted the job
 * (none when the job has no submitter), and its audit entry. Shared by `mint` and the dispatch
 * store's start of a run, so a job token is written one way wherever it is minted.
 */
export function jobTokenMintCtes(p: { jobs: string; id: string; lookup: string; hash: string; expiresAt: string }): string {
  return `tok AS (
             INSERT INTO api_tokens (id, lookup, hash, name, role, created_by, job_id, expires_at)
             SELECT ${p.id}, ${p.lookup}, ${p.hash}, 'job ' || j.id::text, t.role, t.id, j.id, ${p.expiresAt}
               FROM ${p.jobs} j JOIN api_tokens t ON t.id = j.submitted_by
             RETURNING id, role, expires_at, job_id
           ), tok_audit AS (
             ${auditInsert('token.create', `jsonb_build_object('jobId', job_id::text, 'role', role, 'expiresAt', to_char(expires_at AT TIME ZONE 'UTC', '${isoFormat}'))`, 'tok')}
           )`;
}

/** The audit entry of each token in `from`, by the system (no actor), for use inside a CTE. */
function auditInsert(action: 'token.create' | 'token.revoke', detail: string, from: string): string {
  return `INSERT INTO audit_log (id, action, actor_token_id, actor_name, actor_role, target_kind, target_id, job_code_digest, secret_names, detail)
          SELECT gen_random_uuid(), '${action}', NULL, NULL, NULL, 'token', id::text, NULL, '{}'::text[], ${detail} FROM ${from}`;
}
