import { invalidInput } from '../../core/errors.ts';
import { auditActions, type AuditAction, type AuditEntry, type AuditFilter } from '../../core/ports/audit-log.ts';
import type { Deps } from '../deps.ts';
import { nextCursor, pageRequest } from './cursor.ts';
import { queryList } from './query-list.ts';

export interface ListAuditInput {
  readonly action?: string | readonly string[] | undefined;
  readonly actor?: string | undefined;
  readonly targetKind?: string | undefined;
  readonly targetId?: string | undefined;
  readonly after?: string | undefined;
  readonly before?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Newest first, by keyset cursor (the same opaque form as the job list's). */
export async function listAudit(
  deps: Pick<Deps, 'audit'>,
  input: ListAuditInput,
): Promise<{ entries: readonly AuditEntry[]; nextCursor: string | null }> {
  const actions = queryList(input.action).map((a): AuditAction => {
    if (!(auditActions as readonly string[]).includes(a)) throw invalidInput(`query.action: unknown action ${JSON.stringify(a)}`, { field: 'query.action' });
    return a as AuditAction;
  });
  const filter: AuditFilter = {
    ...(actions.length > 0 ? { actions } : {}),
    ...(input.actor !== undefined ? { actorTokenId: input.actor } : {}),
    ...(input.targetKind !== undefined ? { targetKind: input.targetKind } : {}),
    ...(input.targetId !== undefined ? { targetId: input.targetId } : {}),
    ...(input.after !== undefined ? { after: input.after } : {}),
    ...(input.before !== undefined ? { before: input.before } : {}),
  };
  const page = await deps.audit.list(filter, pageRequest(input.limit, input.cursor));
  return { entries: page.entries, nextCursor: nextCursor(page.next) };
}
