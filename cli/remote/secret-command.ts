/**
 * `reactorcide secret …` (admin). A value is read from stdin or a file, never from an
 * argument: arguments are visible to every user in `ps` and land in shell history.
 */
import { exitCodes, UsageError } from './exit-codes.ts';
import { readStdin, readTextArg } from './read-input.ts';
import type { RemoteContext } from './run-remote.ts';
import { jsonText } from './terminal.ts';

export interface SetSecretFlags {
  readonly fromFile?: string;
  readonly keepNewline?: boolean;
}

export async function secretSet(ctx: RemoteContext, name: string, flags: SetSecretFlags): Promise<number> {
  if (flags.fromFile === undefined && process.stdin.isTTY === true) {
    ctx.term.err(`reading the value of ${name} from stdin; end it with Ctrl-D\n`);
  }
  let value = flags.fromFile === undefined ? await readStdin() : await readTextArg('--from-file', flags.fromFile);
  // `echo value |` and editors add one newline that is not part of the secret.
  if (flags.keepNewline !== true) value = value.replace(/\r?\n$/, '');
  if (value === '') throw new UsageError(`no value for ${name}: pipe it in (e.g. \`reactorcide secret set ${name} < file\`) or pass --from-file`);
  const info = await ctx.client.putSecret(name, value);
  if (ctx.json) ctx.term.out(jsonText(info));
  else ctx.term.out(`stored ${info.name} (key ${info.keyId})\n`);
  return exitCodes.ok;
}

export async function secretList(ctx: RemoteContext): Promise<number> {
  const secrets = await ctx.client.listSecrets();
  if (ctx.json) ctx.term.out(jsonText({ secrets }));
  else for (const s of secrets) ctx.term.out(`${s.name}  updated ${s.updatedAt}  key ${s.keyId}\n`);
  return exitCodes.ok;
}

export async function secretDelete(ctx: RemoteContext, name: string): Promise<number> {
  await ctx.client.deleteSecret(name);
  ctx.term.out(`deleted ${name}\n`);
  return exitCodes.ok;
}

export async function secretRotate(ctx: RemoteContext): Promise<number> {
  const r = await ctx.client.rotateSecrets();
  if (ctx.json) ctx.term.out(jsonText(r));
  else ctx.term.out(`re-sealed ${r.rotated}${r.failed.length === 0 ? '' : `; could not decrypt: ${r.failed.join(', ')}`}\n`);
  return r.failed.length === 0 ? exitCodes.ok : exitCodes.apiError;
}
