import { Option, type Command } from 'commander';
import { parseOrExit } from './serve.ts';

interface CreateFlags {
  role: 'admin' | 'maintainer' | 'contributor' | 'viewer';
  name?: string;
  expiresIn?: string;
  dataDir?: string;
  /** Over the API instead of straight into the database. */
  remote?: boolean;
  server?: string;
  token?: string;
  json?: boolean;
}

/** `30d`, `12h`, `90m`, `3600` (seconds) → seconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/**
 * `reactorcide token create`: mint a bearer token straight into the database, for bootstrap
 * (the first admin token of a new install) or when the API is not running. The token is printed
 * once, on stdout; only its hash is stored. With --server or --remote it goes over the API as an
 * admin (POST /v1/tokens), and `token revoke` always does.
 */
export function defineToken(program: Command): void {
  const token = program.command('token').summary('manage API tokens');
  token
    .command('create')
    .summary('create a bearer token and print it once')
    .addOption(new Option('--role <role>', 'the token\'s role').choices(['admin', 'maintainer', 'contributor', 'viewer']).makeOptionMandatory())
    .option('--name <name>', 'a label for the token (default: the role)')
    .option('--expires-in <duration>', 'lifetime, e.g. 3600, 90m, 12h, 30d (default: no expiry)')
    .option('--data-dir <dir>', 'embedded database directory (REACTORCIDE_DATA_DIR)')
    .option('--remote', 'create it over the API (server and admin token from REACTORCIDE_SERVER/_TOKEN or the config file)')
    .option('--server <url>', 'create it over the API at this address (implies --remote)')
    .option('--token <token>', 'with --remote: the admin token to authenticate with (REACTORCIDE_TOKEN)')
    .option('--json', 'with --remote: print the created token and its metadata as JSON')
    .action(async (opts: CreateFlags) => {
      if (opts.remote === true || opts.server !== undefined) {
        const { runRemote } = await import('../remote/run-remote.ts');
        const { tokenCreateRemote } = await import('../remote/token-command.ts');
        await runRemote('token create', opts, (ctx) => tokenCreateRemote(ctx, opts));
      }
      const expiresInSeconds = opts.expiresIn === undefined ? undefined : parseDuration(opts.expiresIn);
      if (expiresInSeconds === null || (expiresInSeconds !== undefined && expiresInSeconds < 60)) {
        process.stderr.write('reactorcide token create: --expires-in must be a duration of at least 60s, like 90m, 12h or 30d\n');
        process.exit(2);
      }
      const { parseServerConfig, openConfiguredDatabase } = await import('../../functions/compose/index.ts');
      const { createPgTokenStore } = await import('../../adapters/postgres/token-store.ts');
      const { createToken } = await import('../../functions/handlers/create-token.ts');
      const config = parseOrExit(parseServerConfig, {
        ...process.env,
        ...(opts.dataDir === undefined ? {} : { REACTORCIDE_DATA_DIR: opts.dataDir }),
      });
      const database = await openConfiguredDatabase(config);
      try {
        const created = await createToken(
          { tokens: createPgTokenStore(database.db) },
          { principal: null, name: opts.name ?? opts.role, role: opts.role, expiresInSeconds },
        );
        process.stderr.write(
          `created ${created.role} token ${created.id}${created.expiresAt === null ? '' : ` (expires ${created.expiresAt})`}; ` +
            'it is shown only now:\n',
        );
        process.stdout.write(created.token + '\n');
      } finally {
        await database.close();
      }
    });
  token
    .command('revoke')
    .summary('revoke a token by its id, over the API (admin)')
    .argument('<id>', 'the token id (printed when it was created)')
    .option('--server <url>', 'API address (REACTORCIDE_SERVER; "server" in the config file)')
    .option('--token <token>', 'the admin token (REACTORCIDE_TOKEN; "token" in the config file)')
    .action(async (id: string, opts: { server?: string; token?: string }) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { tokenRevoke } = await import('../remote/token-command.ts');
      await runRemote('token revoke', opts, (ctx) => tokenRevoke(ctx, id));
    });
}
