import type { Command } from 'commander';
import { parseOrExit, stopOnSignal } from './serve.ts';

/**
 * `reactorcide dispatcher`: the dispatcher alone, for a pod of its own next to API replicas.
 * It needs the shared database (DATABASE_URL); the embedded database belongs to one `serve`.
 */
export function defineDispatcher(program: Command): void {
  program
    .command('dispatcher')
    .summary('run the dispatcher on its own (needs DATABASE_URL)')
    .description(
      'Relay submitted jobs to the queue, claim them, run them with the configured executor\n' +
        '(REACTORCIDE_EXECUTOR=process|kubernetes) and record how they end. Stops on SIGTERM,\n' +
        'cancelling what runs here. `reactorcide serve` runs the same dispatcher in-process.',
    )
    .action(async () => {
      const { parseServerConfig, parseDispatcherConfig, createLogger, openConfiguredDatabase, startConfiguredDispatcher, openObjectStorage } = await import(
        '../../functions/compose/index.ts'
      );
      const config = parseOrExit(parseServerConfig, process.env);
      if (config.databaseUrl === null) {
        process.stderr.write('reactorcide dispatcher: DATABASE_URL is required (the embedded database belongs to `reactorcide serve`)\n');
        process.exit(2);
      }
      const dispatcherConfig = parseOrExit((env) => parseDispatcherConfig(env, config.dataDir), process.env);
      const logger = createLogger(config);
      const database = await openConfiguredDatabase(config);
      const dispatcher = await startConfiguredDispatcher(dispatcherConfig, database.db, {
        embedded: false,
        logger,
        env: process.env,
        archive: { objects: openObjectStorage(config).store, retentionDays: config.logRetentionDays },
      });
      process.stderr.write(`reactorcide: dispatcher ${dispatcher.dispatcher.id} running\n`);
      stopOnSignal(async () => {
        await dispatcher.stop();
        await database.close();
      }, logger);
    });
}
