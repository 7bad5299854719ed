// The AWS Lambda entry (API Gateway / function URL events): the same app through Hono's adapter.
// The pool is opened lazily per container; migrations run elsewhere (`reactorcide migrate`).
import { handle } from 'hono/aws-lambda';
import { openDatabase } from '../../adapters/postgres/database.ts';
import { buildApp } from '../compose/build-app.ts';
import { parseServerConfig } from '../compose/config.ts';
import { createLogger } from '../compose/logger.ts';
import { openSecretCipher, verifySecretKeys } from '../compose/open-secrets.ts';

const config = parseServerConfig(process.env);
if (config.databaseUrl === null) throw new Error('DATABASE_URL is required in a FaaS: there is no local disk to embed a database in');
const logger = createLogger(config);
// One connection per concurrent invocation is all a Lambda container ever uses.
const db = openDatabase({ connectionString: config.databaseUrl, maxConnections: Math.min(config.dbPoolSize, 2) });
// As `serve` does at start-up: a master key that cannot open the stored secrets fails the
// container's start with the setting named, rather than every job that names a secret.
const secretCipher = openSecretCipher(config, logger);
if (secretCipher !== null) await verifySecretKeys(db, secretCipher);

export const handler = handle(buildApp(config, db, logger, secretCipher));
