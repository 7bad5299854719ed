import { randomUUID } from 'node:crypto';
import type { AuditCursor, AuditEntry, AuditEvent, AuditFilter, AuditLog, AuditPage } from '../../core/ports/audit-log.ts';
import type { Role } from '../../core/roles.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

interface AuditRow {
  id: string;
  created_at: Date;
  action: AuditEntry['action'];
  actor_token_id: string | null;
  actor_name: string | null;
  actor_role: Role;
  target_kind: string;
  target_id: string;
  job_code_digest: string | null;
  secret_names: string[];
  detail: Record<string, unknown>;
}

const entryFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.created_at.toISOString(),
  action: r.action,
  actor: r.actor_token_id === null ? null : { tokenId: r.actor_token_id, name: r.actor_name ?? '', role: r.actor_role },
  target: { kind: r.target_kind, id: r.target_id },
  jobCodeDigest: r.job_code_digest,
  secretNames: r.secret_names,
  detail: r.detail,
});

/** Anything that runs a statement: the database, or a transaction of another store's write. */
export type AuditWriter = Pick<Db, 'none'>;

/**
 * Writes one entry through `t`. Stores whose writes are audited call this inside their own
 * transaction, so the action and its entry commit or roll back together.
 */
export async function insertAuditEvent(t: AuditWriter, event: AuditEvent): Promise<void> {
  await t.none(
    `INSERT INTO audit_log (id, action, actor_token_id, actor_name, actor_role, target_kind, target_id,
                            job_code_digest, secret_names, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::jsonb)`,
    [
      randomUUID(),
      event.action,
      event.actor?.tokenId ?? null,
      event.actor?.name ?? null,
      event.actor?.role ?? null,
      event.target.kind,
      event.target.id,
      event.jobCodeDigest ?? null,
      [...(event.secretNames ?? [])],
      JSON.stringify(event.detail ?? {}),
    ],
  );
}

export function createPgAuditLog(db: Db): AuditLog {
  async function list(filter: AuditFilter, page: { limit: number; after?: AuditCursor }): Promise<AuditPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (filter.actions !== undefined && filter.actions.length > 0) where.push(`action IN (${param(filter.actions)}:csv)`);
    if (filter.actorTokenId !== undefined) where.push(`actor_token_id = ${param(filter.actorTokenId)}::uuid`);
    if (filter.targetKind !== undefined) where.push(`target_kind = ${param(filter.targetKind)}`);
    if (filter.targetId !== undefined) where.push(`target_id = ${param(filter.targetId)}`);
    if (filter.after !== undefined) where.push(`created_at >= ${param(filter.after)}::timestamptz`);
    if (filter.before !== undefined) where.push(`created_at < ${param(filter.before)}::timestamptz`);
    if (page.after !== undefined) {
      where.push(`(created_at, id) < (${param(page.after.createdAt)}::timestamptz, ${param(page.after.id)}::uuid)`);
    }
    const rows = await db.manyOrNone<AuditRow>(
      `SELECT * FROM audit_log ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY created_at DESC, id DESC LIMIT ${param(page.limit + 1)}`,
      params,
    );
    const entries = rows.slice(0, page.limit).map(entryFromRow);
    const last = entries.at(-1);
    return { entries, next: rows.length > page.limit && last !== undefined ? { createdAt: last.at, id: last.id } : null };
  }
  return {
    record: (event) => pgCall(() => insertAuditEvent(db, event)),
    list: (filter, page) => pgCall(() => list(filter, page)),
  };
}
