/**
 * `reactorcide definition …`: job definitions, the code a contributor's run is held to.
 * Maintainers write a version from a JSON file and approve it; everyone may read them.
 */
import type { CreateDefinitionInput, JobDefinition } from '../../client/index.ts';
import { parseDefinitionRef } from '../../core/job-definition.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import { jsonText, paint } from './terminal.ts';
import { parseJsonObject, readTextArg } from './read-input.ts';
import type { RemoteContext } from './run-remote.ts';

const printJson = (ctx: RemoteContext, value: unknown): void => ctx.term.out(jsonText(value));

export function parseRef(text: string): { name: string; version: number } {
  const ref = parseDefinitionRef(text);
  if (ref === null) throw new UsageError(`${JSON.stringify(text)} is not NAME@VERSION, e.g. lint@3`);
  return ref;
}

function line(ctx: RemoteContext, d: JobDefinition): string {
  const state = paint(ctx.term.color, d.state === 'approved' ? 'green' : d.state === 'revoked' ? 'red' : 'yellow', d.state);
  return `${d.name}@${d.version} ${state} job code sha256 ${d.jobCode.sha256.slice(0, 12)}… roles ${d.roles.join(',')}` +
    `${d.secrets.length === 0 ? '' : ` secrets ${d.secrets.join(',')}`}\n`;
}

export interface CreateDefinitionFlags {
  readonly file: string;
  readonly name?: string;
  readonly jobCode?: string;
}

export async function definitionCreate(ctx: RemoteContext, flags: CreateDefinitionFlags): Promise<number> {
  const body = parseJsonObject(`--file ${flags.file}`, await readTextArg('--file', flags.file));
  let jobCode: { url: string; sha256: string } | undefined;
  if (flags.jobCode !== undefined) {
    // Packed as git sees it and pinned by the digest of the bytes uploaded.
    const { uploadSourceDirectory } = await import('./submit-command.ts');
    const { url, sha256 } = await uploadSourceDirectory(ctx, '--job-code', flags.jobCode);
    jobCode = { url, sha256 };
  }
  const input = {
    ...body,
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(jobCode === undefined ? {} : { jobCode }),
  } as unknown as CreateDefinitionInput;
  const d = await ctx.client.createDefinition(input);
  if (ctx.json) printJson(ctx, d);
  else ctx.term.out(`${line(ctx, d)}approve it with: reactorcide definition approve ${d.name}@${d.version}\n`);
  return exitCodes.ok;
}

export async function definitionList(ctx: RemoteContext, flags: { name?: string }): Promise<number> {
  const all = await ctx.client.listDefinitions(flags.name === undefined ? {} : { name: flags.name });
  if (ctx.json) printJson(ctx, { definitions: all });
  else for (const d of all) ctx.term.out(line(ctx, d));
  return exitCodes.ok;
}

export async function definitionShow(ctx: RemoteContext, ref: string): Promise<number> {
  const { name, version } = parseRef(ref);
  const d = await ctx.client.getDefinition(name, version);
  if (ctx.json) printJson(ctx, d);
  else ctx.term.out(line(ctx, d) + jsonText({ entrypoint: d.entrypoint, params: d.params, caps: d.caps, secretsByRole: d.secretsByRole }));
  return exitCodes.ok;
}

export async function definitionApproval(ctx: RemoteContext, verb: 'approve' | 'revoke', ref: string): Promise<number> {
  const { name, version } = parseRef(ref);
  const d = verb === 'approve' ? await ctx.client.approveDefinition(name, version) : await ctx.client.revokeDefinition(name, version);
  if (ctx.json) printJson(ctx, d);
  else ctx.term.out(line(ctx, d));
  return exitCodes.ok;
}
