import { ClientError, createClient, type ReactorcideClient } from '../../client/index.ts';
import { resolveConnection, type ConnectionFlags } from './connection.ts';
import { describeClientError, exitCodes, UsageError } from './exit-codes.ts';
import { processTerminal, type Terminal } from './terminal.ts';

export interface RemoteFlags extends ConnectionFlags {
  readonly json?: boolean;
  /** Seconds a single API call may take. */
  readonly requestTimeout?: string;
}

export interface RemoteContext {
  readonly client: ReactorcideClient;
  readonly term: Terminal;
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one client command: resolves the connection, builds the client, and turns what is
 * thrown into a message and an exit code (the table in exit-codes.ts). The command returns its
 * own exit code; nothing else in the CLI calls process.exit for these commands.
 */
export async function runRemote(command: string, flags: RemoteFlags, body: (ctx: RemoteContext) => Promise<number>): Promise<never> {
  const env = process.env;
  const term = processTerminal(env);
  let server = '';
  let code: number;
  try {
    const connection = await resolveConnection(flags, env);
    server = connection.server;
    const timeout = flags.requestTimeout === undefined ? undefined : Number(flags.requestTimeout);
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new UsageError('--request-timeout must be a number of seconds above 0');
    const client = createClient({
      server: connection.server,
      ...(connection.token === undefined ? {} : { token: connection.token }),
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
    });
    code = await body({ client, term, json: flags.json === true, env });
  } catch (err) {
    if (err instanceof UsageError) {
      term.err(`reactorcide ${command}: ${err.message}\n`);
      code = exitCodes.usage;
    } else if (err instanceof ClientError) {
      const d = describeClientError(err, server);
      term.err(`reactorcide ${command}: ${d.message}\n`);
      code = d.code;
    } else {
      throw err;
    }
  }
  process.exit(code);
}
