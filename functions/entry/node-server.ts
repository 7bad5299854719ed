// The Node pod entry: config from the environment, a server, a clean stop on SIGTERM/SIGINT.
import { parseServerConfig } from '../compose/config.ts';
import { createLogger } from '../compose/logger.ts';
import { startApiServer } from '../compose/start-api-server.ts';

const config = parseServerConfig(process.env);
const logger = createLogger(config);
const server = await startApiServer(config, logger);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  });
}
