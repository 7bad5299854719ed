import { parseDuration } from '../commands/token.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import type { RemoteContext } from './run-remote.ts';
import type { Role } from '../../core/roles.ts';
import { jsonText } from './terminal.ts';

export interface RemoteTokenFlags {
  readonly role: Role;
  readonly name?: string;
  readonly expiresIn?: string;
}

/** `reactorcide token create --server …`: an admin mints a token over the API. */
export async function tokenCreateRemote(ctx: RemoteContext, flags: RemoteTokenFlags): Promise<number> {
  const seconds = flags.expiresIn === undefined ? undefined : parseDuration(flags.expiresIn);
  if (seconds === null || (seconds !== undefined && seconds < 60)) throw new UsageError('--expires-in must be a duration of at least 60s, like 90m, 12h or 30d');
  const created = await ctx.client.createToken({ name: flags.name ?? flags.role, role: flags.role, ...(seconds === undefined ? {} : { expiresInSeconds: seconds }) });
  if (ctx.json) {
    ctx.term.out(jsonText(created));
  } else {
    ctx.term.err(`created ${created.role} token ${created.id}${created.expiresAt === null ? '' : ` (expires ${created.expiresAt})`}; it is shown only now:\n`);
    ctx.term.out(created.token + '\n');
  }
  return exitCodes.ok;
}

export async function tokenRevoke(ctx: RemoteContext, id: string): Promise<number> {
  await ctx.client.revokeToken(id);
  ctx.term.out(`revoked ${id}\n`);
  return exitCodes.ok;
}
