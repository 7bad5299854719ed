import type { DefinitionBody, DefinitionState, JobDefinition } from '../../core/job-definition.ts';
import type { DefinitionStore } from '../../core/ports/definition-store.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

interface DefinitionRow {
  name: string;
  version: number;
  body: DefinitionBody;
  state: DefinitionState;
  created_by: string | null;
  created_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  revoked_by: string | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

const fromRow = (r: DefinitionRow): JobDefinition => ({
  ...r.body,
  name: r.name,
  version: r.version,
  state: r.state,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  approvedBy: r.approved_by,
  approvedAt: iso(r.approved_at),
  revokedBy: r.revoked_by,
  revokedAt: iso(r.revoked_at),
});

const columns = 'name, version, body, state, created_by, created_at, approved_by, approved_at, revoked_by, revoked_at';

/** First key of the two-key advisory lock that orders writers of one definition name ("rcdf"). */
const definitionLockSpace = 0x72636466;

export function createPgDefinitionStore(db: Db): DefinitionStore {
  return {
    // Writers of one name queue on a transaction-scoped advisory lock, so each reads the
    // latest version before adding one: no lost race, no retry loop.
    create: (input) =>
      pgCall(() =>
        db.tx(async (t) => {
          await t.one('SELECT pg_advisory_xact_lock($1, hashtext($2))', [definitionLockSpace, input.name]);
          return fromRow(
            await t.one<DefinitionRow>(
              `INSERT INTO job_definitions (name, version, body, digest, created_by)
               SELECT $1, coalesce(max(version), 0) + 1, $2::jsonb, $3, $4 FROM job_definitions WHERE name = $1
               RETURNING ${columns}`,
              [input.name, JSON.stringify(input.body), input.body.jobCode.sha256, input.createdBy],
            ),
          );
        }),
      ),
    get: (name, version) =>
      pgCall(async () => {
        const row = await db.oneOrNone<DefinitionRow>(`SELECT ${columns} FROM job_definitions WHERE name = $1 AND version = $2`, [name, version]);
        return row === null ? null : fromRow(row);
      }),
    list: (filter) =>
      pgCall(async () => {
        const rows = await db.manyOrNone<DefinitionRow>(
          `SELECT ${columns} FROM job_definitions WHERE ($1::text IS NULL OR name = $1)
           ORDER BY created_at DESC, name, version DESC LIMIT $2`,
          [filter.name ?? null, filter.limit],
        );
        return rows.map(fromRow);
      }),
    setState: (name, version, input) =>
      pgCall(async () => {
        // The approval columns describe the latest move; an unchanged state writes nothing (and audits nothing).
        const set =
          input.state === 'approved'
            ? `state = 'approved', approved_by = $3, approved_at = date_trunc('milliseconds', clock_timestamp())`
            : `state = 'revoked', revoked_by = $3, revoked_at = date_trunc('milliseconds', clock_timestamp())`;
        const updated = await db.oneOrNone<DefinitionRow>(
          `UPDATE job_definitions SET ${set} WHERE name = $1 AND version = $2 AND state <> $4 RETURNING ${columns}`,
          [name, version, input.by, input.state],
        );
        if (updated !== null) return fromRow(updated);
        const row = await db.oneOrNone<DefinitionRow>(`SELECT ${columns} FROM job_definitions WHERE name = $1 AND version = $2`, [name, version]);
        return row === null ? null : fromRow(row);
      }),
  };
}
