import { auditActions } from '../../core/ports/audit-log.ts';
import { exitCodes } from './exit-codes.ts';
import { parseChoices, parseLimit } from './list-flags.ts';
import type { RemoteContext } from './run-remote.ts';
import { jsonText } from './terminal.ts';

export interface AuditFlags {
  readonly action?: readonly string[];
  readonly targetKind?: string;
  readonly targetId?: string;
  readonly limit?: string;
  readonly cursor?: string;
}

/** `reactorcide audit` (admin): who did what, newest first, one line each. */
export async function auditCommand(ctx: RemoteContext, flags: AuditFlags): Promise<number> {
  const actions = parseChoices(flags.action, auditActions, 'action');
  const limit = parseLimit(flags.limit, 500);
  const page = await ctx.client.listAudit({
    ...(actions.length > 0 ? { action: actions } : {}),
    ...(flags.targetKind === undefined ? {} : { targetKind: flags.targetKind }),
    ...(flags.targetId === undefined ? {} : { targetId: flags.targetId }),
    ...(limit === undefined ? {} : { limit }),
    ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
  });
  if (ctx.json) {
    ctx.term.out(jsonText(page));
    return exitCodes.ok;
  }
  for (const e of page.entries) {
    const who = e.actor === null ? 'system' : `${e.actor.name} (${e.actor.role})`;
    const secrets = e.secretNames.length === 0 ? '' : ` secrets ${e.secretNames.join(',')}`;
    ctx.term.out(`${e.at}  ${e.action.padEnd(18)} ${e.target.kind}:${e.target.id}  by ${who}${secrets}\n`);
  }
  if (page.nextCursor !== null) ctx.term.err(`more: --cursor ${page.nextCursor}\n`);
  return exitCodes.ok;
}
