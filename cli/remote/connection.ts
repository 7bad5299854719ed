import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './exit-codes.ts';

/** Where the CLI's client commands send their calls, and with which token. */
export interface Connection {
  readonly server: string;
  readonly token: string | undefined;
}

export interface ConnectionFlags {
  readonly server?: string;
  readonly token?: string;
}

interface ConfigFile {
  readonly server?: string;
  readonly token?: string;
}

/** `$XDG_CONFIG_HOME/reactorcide/config.json`, else `~/.config/reactorcide/config.json`. */
export function configFilePath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'reactorcide', 'config.json');
}

async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON; it should look like {"server": "http://127.0.0.1:7007", "token": "rct_…"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} must hold a JSON object`);
  const { server, token } = parsed as Record<string, unknown>;
  for (const [k, v] of [['server', server], ['token', token]] as const) {
    if (v !== undefined && typeof v !== 'string') throw new UsageError(`${path}: "${k}" must be a string`);
  }
  return { server: server as string | undefined, token: token as string | undefined };
}

const given = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * The server and token, each from the first place that has it: the flag, then
 * REACTORCIDE_SERVER / REACTORCIDE_TOKEN, then the config file. The file is read only when a
 * flag or variable leaves something open.
 */
export async function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): Promise<Connection> {
  let server = given(flags.server) ?? given(env['REACTORCIDE_SERVER']);
  let token = given(flags.token) ?? given(env['REACTORCIDE_TOKEN']);
  const path = configFilePath(env);
  if (server === undefined || token === undefined) {
    const file = await readConfigFile(path);
    server ??= given(file.server);
    token ??= given(file.token);
  }
  if (server === undefined) {
    throw new UsageError(`no server: pass --server URL, set REACTORCIDE_SERVER, or put {"server": "http://…"} in ${path}`);
  }
  if (!/^https?:\/\/[^/\s]+/.test(server)) throw new UsageError(`--server must be an http:// or https:// URL, not ${JSON.stringify(server)}`);
  return { server, token };
}
