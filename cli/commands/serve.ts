import type { Command } from 'commander';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  migrate?: boolean;
  /** false with --no-dispatcher. */
  dispatcher?: boolean;
}

/**
 * `reactorcide serve`: the coordinator API. With no DATABASE_URL it runs embedded: PGlite in the
 * data directory, migrations applied, listening on 127.0.0.1:7007. Flags become the same
 * REACTORCIDE_* settings the environment sets, and win only when given.
 */
export function defineServe(program: Command): void {
  program
    .command('serve')
    .summary('run the coordinator API (embedded database unless DATABASE_URL is set)')
    .description(
      'Serve the HTTP API: submit jobs, status, logs, cancel, list, tokens; /docs has the reference.\n' +
        'Without DATABASE_URL the data lives in PGlite under the data directory and migrations are\n' +
        'applied at start. Create the first admin token with `reactorcide token create --role admin`.',
    )
    .option('--port <port>', 'port to listen on (REACTORCIDE_PORT, default 7007)')
    .option('--host <address>', 'address to listen on (REACTORCIDE_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'embedded database directory (REACTORCIDE_DATA_DIR, default .reactorcide-data)')
    .option('--migrate', 'apply pending migrations to DATABASE_URL at start (REACTORCIDE_AUTO_MIGRATE)')
    .option('--no-dispatcher', 'serve the API only; jobs are run by `reactorcide dispatcher` elsewhere (REACTORCIDE_DISPATCHER=false)')
    .action(async (opts: ServeFlags) => {
      const { parseServerConfig, parseDispatcherConfig, createLogger, startApiServer, startConfiguredDispatcher, openObjectStorage, openSecretCipher, createWakeSignal, inlineQueueFor } = await import(
        '../../functions/compose/index.ts'
      );
      const config = parseOrExit(parseServerConfig, {
        ...process.env,
        ...(opts.port === undefined ? {} : { REACTORCIDE_PORT: opts.port }),
        ...(opts.host === undefined ? {} : { REACTORCIDE_HOST: opts.host }),
        ...(opts.dataDir === undefined ? {} : { REACTORCIDE_DATA_DIR: opts.dataDir }),
        ...(opts.migrate === true ? { REACTORCIDE_AUTO_MIGRATE: 'true' } : {}),
      });
      const env = { ...process.env, ...(opts.dispatcher === false ? { REACTORCIDE_DISPATCHER: 'false' } : {}) };
      const dispatcherConfig = parseOrExit((e) => parseDispatcherConfig(e, config.dataDir), env);
      const logger = createLogger(config);
      const outboxWake = dispatcherConfig.enabled ? createWakeSignal() : undefined;
      const inlineQueue = inlineQueueFor(config, dispatcherConfig);
      const server = await startApiServer(config, logger, {
        onOutboxWrite: () => outboxWake?.notify(),
        ...(inlineQueue ? { inlineEnqueue: inlineQueue.inlineEnqueue } : {}),
      }).catch(exitOnSettingError);
      const dispatcher = dispatcherConfig.enabled
        ? await startConfiguredDispatcher(dispatcherConfig, server.db, {
            embedded: server.embedded,
            logger,
            env: process.env,
            archive: { objects: openObjectStorage(config).store, retentionDays: config.logRetentionDays },
            servedUrl: server.url,
            secretCipher: openSecretCipher(config, logger),
            ...(outboxWake ? { outboxWake } : {}),
            ...(inlineQueue ? { taskHub: inlineQueue.hub } : {}),
          })
        : undefined;
      process.stderr.write(`reactorcide: API on ${server.url} (reference: ${server.url}/docs)${dispatcher ? ', dispatcher running' : ''}\n`);
      stopOnSignal(async () => {
        await dispatcher?.stop();
        await server.close();
      }, logger);
    });
}

/** A bad setting is a usage error (exit 2) with the message naming it, not a stack trace. */
export function parseOrExit<T>(parse: (env: Record<string, string | undefined>) => T, env: Record<string, string | undefined>): T {
  try {
    return parse(env);
  } catch (err) {
    process.stderr.write(`reactorcide: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

/**
 * A setting that does not fit what is stored (a master key that opens none of the stored secrets)
 * is found only once the database is open; it is a usage error all the same, not a stack trace.
 */
export function exitOnSettingError(err: unknown): never {
  if (err instanceof Error && /^REACTORCIDE_[A-Z_]+: /.test(err.message)) {
    process.stderr.write(`reactorcide: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

/** On SIGTERM or SIGINT: run `stop` once, then exit 0, or 1 (logged) if stopping failed. */
export function stopOnSignal(stop: () => Promise<void>, logger: { error(obj: object, msg?: string): void }): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'stop failed');
          process.exit(1);
        },
      );
    });
  }
}
