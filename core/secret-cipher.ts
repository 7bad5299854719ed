import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * AES-256-GCM sealing of secret values under named master keys. A fresh random 96-bit IV per
 * value (GCM's safe size); the secret's name is bound as associated data, so a sealed value
 * copied onto another name fails to open. The first key is the current one: new values are
 * sealed under it; older key ids stay listed so values sealed before a rotation still open.
 */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface SealedValue {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export interface SecretCipher {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  seal(name: string, value: string): SealedValue;
  /** Throws `internal` naming the secret (never its value) when the key is unknown or the data fails authentication. */
  open(name: string, sealed: SealedValue): string;
}

const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `id1:base64key,id2:base64key` (first is current) into keys; each must decode to 32 bytes. The
 * message names the setting and the key id, never the key.
 */
export function parseMasterKeys(text: string, setting: string): MasterKey[] {
  const keys = text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const colon = part.indexOf(':');
    const id = colon < 0 ? '' : part.slice(0, colon);
    if (!keyIdPattern.test(id)) throw new Error(`${setting}: each entry must be <key id>:<base64 of 32 bytes>, with a key id of 1–64 of A-Z a-z 0-9 . _ -`);
    const encoded = part.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
      throw new Error(`${setting}: key ${id} must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`);
    }
    return { id, key };
  });
  if (keys.length === 0) throw new Error(`${setting} names no key`);
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error(`${setting}: a key id appears twice`);
  return keys;
}

export function createSecretCipher(keys: readonly MasterKey[]): SecretCipher {
  const current = keys[0];
  if (current === undefined) throw new Error('a secret cipher needs at least one master key');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    currentKeyId: current.id,
    keyIds: keys.map((k) => k.id),
    seal(name, value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return { keyId: current.id, iv, ciphertext, tag: cipher.getAuthTag() };
    },
    open(name, sealed) {
      const key = byId.get(sealed.keyId);
      if (key === undefined) {
        throw new AppError('internal', `secret ${name} is sealed under master key ${sealed.keyId}, which is not configured`);
      }
      try {
        if (sealed.iv.length !== 12 || sealed.tag.length !== 16) throw new Error('malformed');
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
        decipher.setAAD(Buffer.from(name, 'utf8'));
        decipher.setAuthTag(sealed.tag);
        return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        // No cause attached: nothing of the data travels with the error.
        throw new AppError('internal', `secret ${name} could not be decrypted with master key ${sealed.keyId}: the stored value was altered or the key is wrong`);
      }
    },
  };
}

/** A new random master key in the configuration form's base64. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}
