import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../adapters/postgres/database.ts';
import { checkSecretKeys } from '../../adapters/postgres/secret-store.ts';
import { createSecretCipher, generateMasterKey, parseMasterKeys, type SecretCipher } from '../../core/secret-cipher.ts';
import type { Logger } from '../deps.ts';
import type { ServerConfig } from './config.ts';

/** Where the embedded server keeps the master key it generated (never logged, mode 0600). */
export const generatedKeyFile = (dataDir: string): string => join(dataDir, 'secret-keys');

/**
 * The master keys for secrets: REACTORCIDE_SECRET_KEYS; else, embedded, the key file in the data
 * directory (generated on first use); else none, and secret routes answer 503.
 */
export function openSecretCipher(config: Pick<ServerConfig, 'secretKeys' | 'databaseUrl' | 'dataDir'>, logger: Logger): SecretCipher | null {
  if (config.secretKeys !== null) return createSecretCipher(config.secretKeys);
  if (config.databaseUrl !== null) return null;
  const file = generatedKeyFile(config.dataDir);
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    const id = `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    // wx: never overwrite a key another process wrote first; the values it sealed need it.
    writeFileSync(file, `${id}:${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ file }, 'generated a master key for secrets (set REACTORCIDE_SECRET_KEYS to use your own)');
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return createSecretCipher(parseMasterKeys(readFileSync(file, 'utf8'), file));
}

/**
 * Refuses to start when stored secrets were sealed under a key id that is not configured, or when
 * the configured key of that id opens none of them (a wrong key): better a clear start-up error
 * than every job with secrets ending `errored`.
 */
export async function verifySecretKeys(db: Db, cipher: SecretCipher): Promise<void> {
  for (const { keyId, ok } of await checkSecretKeys(db, cipher)) {
    if (ok) continue;
    const why = cipher.keyIds.includes(keyId)
      ? `the configured key ${keyId} does not decrypt the secrets stored under it (a wrong key?)`
      : `stored secrets are sealed under key id ${keyId}, which is not configured (keep old keys listed after the current one)`;
    throw new Error(`REACTORCIDE_SECRET_KEYS: ${why}`);
  }
}
