import { pino } from 'pino';
import type { Logger } from '../deps.ts';
import type { ServerConfig } from './config.ts';

/**
 * JSON logs on stdout. Redaction is a backstop: handlers never log tokens or secret values, and
 * these paths keep a mistake from printing one.
 */
export function createLogger(config: Pick<ServerConfig, 'logLevel'>): Logger & { level: string } {
  return pino({
    level: config.logLevel,
    base: { service: 'reactorcide-api' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'env', '*.env'], censor: '[redacted]' },
  });
}
