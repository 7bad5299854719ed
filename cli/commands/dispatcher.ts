import type { Command } from 'commander';
import { exitOnSettingError, parseOrExit, stopOnSignal } from './serve.ts';

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
        '(REACTORCIDE_EXECUTOR=process|kubernetes) and record how they end. Stops on SIGTERM:\n' +
        'Kubernetes runs go on (another dispatcher reattaches to them); local runs are stopped,\n' +
        'their attempt errored (retried if the job allows).\n' +
        '`reactorcide serve` runs the same dispatcher in-process.',
    )
    .action(async () => {
      const { parseServerConfig, parseDispatcherConfig, createLogger, openConfiguredDatabase, startConfiguredDispatcher, openObjectStorage, openSecretCipher, verifySecretKeys } = await import(
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
      const secretCipher = openSecretCipher(config, logger);
      if (secretCipher === null) logger.info({}, 'no REACTORCIDE_SECRET_KEYS: jobs that name secrets end errored');
      else await verifySecretKeys(database.db, secretCipher).catch(exitOnSettingError);
      const dispatcher = await startConfiguredDispatcher(dispatcherConfig, database.db, {
        embedded: false,
        logger,
        env: process.env,
        archive: { objects: openObjectStorage(config).store, retentionDays: config.logRetentionDays },
        secretCipher,
      });
      process.stderr.write(`reactorcide: dispatcher ${dispatcher.dispatcher.id} running\n`);
      stopOnSignal(async () => {
        await dispatcher.stop();
        await database.close();
      }, logger);
    });
}
