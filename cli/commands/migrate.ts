import type { Command } from 'commander';
import { parseOrExit } from './serve.ts';

/** `reactorcide migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
export function defineMigrate(program: Command): void {
  program
    .command('migrate')
    .summary('apply pending database migrations')
    .description(
      'Apply the numbered SQL files in migrations/ that the database has not recorded, in order,\n' +
        'under an advisory lock (safe to run from several places at once). Forward only.\n' +
        'Uses DATABASE_URL, or the embedded database under --data-dir when it is not set.',
    )
    .option('--data-dir <dir>', 'embedded database directory (REACTORCIDE_DATA_DIR)')
    .action(async (opts: { dataDir?: string }) => {
      const { parseServerConfig, openConfiguredDatabase } = await import('../../functions/compose/index.ts');
      const config = parseOrExit(parseServerConfig, {
        ...process.env,
        ...(opts.dataDir === undefined ? {} : { REACTORCIDE_DATA_DIR: opts.dataDir }),
      });
      const database = await openConfiguredDatabase(config, { migrate: true });
      try {
        const applied = database.applied;
        process.stdout.write(applied.length === 0 ? 'schema is current\n' : `applied migrations ${applied.join(', ')}\n`);
      } finally {
        await database.close();
      }
    });
}
