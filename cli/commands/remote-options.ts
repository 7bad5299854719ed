import type { Command } from 'commander';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * The flags every command that talks to the API shares. Each value falls back to
 * REACTORCIDE_SERVER / REACTORCIDE_TOKEN, then to the config file (cli/remote/connection.ts).
 */
export function withConnection(cmd: Command, opts: { json?: string } = {}): Command {
  cmd
    .option('--server <url>', 'API address, e.g. http://127.0.0.1:7007 (REACTORCIDE_SERVER; "server" in ~/.config/reactorcide/config.json)')
    .option('--token <token>', 'bearer token (REACTORCIDE_TOKEN, which keeps it out of `ps`; "token" in the config file)')
    .option('--request-timeout <seconds>', 'how long one API call may take (default 30)');
  if (opts.json !== undefined) cmd.option('--json', opts.json);
  return cmd;
}

/** Shown under every client command's --help. */
export const exitCodeHelp =
  '\nExit codes: 0 ok; 1 the API refused the request; 2 usage error; 69 server unreachable or\n' +
  'unavailable; 77 no token or not allowed. `wait` and `submit` exit with the job\'s own code:\n' +
  "failed → the job's exit code, timed_out → 124, errored → 125, cancelled → 130.";
