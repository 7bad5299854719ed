import { notFound } from '../../core/errors.ts';
import type { SecretInfo, SecretStore } from '../../core/ports/secret-store.ts';
import type { SealedValue, SecretCipher } from '../../core/secret-cipher.ts';
import { insertAuditEvent } from './audit-log.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

interface SecretRow {
  name: string;
  key_id: string;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
}
interface SealedRow extends SecretRow {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const infoColumns = 'name, key_id, created_at, updated_at, updated_by';
const infoFromRow = (r: SecretRow): SecretInfo => ({
  name: r.name,
  keyId: r.key_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});
const sealedOf = (r: SealedRow): SealedValue => ({ keyId: r.key_id, iv: r.iv, ciphertext: r.ciphertext, tag: r.tag });

/**
 * Secrets in Postgres, sealed by `cipher` before they leave this process: the database (its
 * backups, its logs, a pg error's "failing row") only ever holds ciphertext.
 */
export function createPgSecretStore(db: Db, cipher: SecretCipher): SecretStore {
  async function put(name: string, value: string, by: Parameters<SecretStore['put']>[2]): Promise<SecretInfo> {
    const sealed = cipher.seal(name, value);
    return db.tx(async (t) => {
      const row = await t.one<SecretRow>(
        `INSERT INTO secrets (name, key_id, iv, ciphertext, tag, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv, ciphertext = EXCLUDED.ciphertext,
           tag = EXCLUDED.tag, updated_by = EXCLUDED.updated_by, updated_at = date_trunc('milliseconds', clock_timestamp())
         RETURNING ${infoColumns}`,
        [name, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag, by.tokenId],
      );
      if (by.audit) await insertAuditEvent(t, by.audit);
      return infoFromRow(row);
    });
  }

  async function remove(name: string, by: Parameters<SecretStore['delete']>[1]): Promise<boolean> {
    return db.tx(async (t) => {
      const gone = await t.oneOrNone('DELETE FROM secrets WHERE name = $1 RETURNING 1', [name]);
      if (gone !== null && by.audit) await insertAuditEvent(t, by.audit);
      return gone !== null;
    });
  }

  async function resolve(names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const rows = await db.manyOrNone<SealedRow>('SELECT * FROM secrets WHERE name = ANY($1::text[])', [[...names]]);
    const byName = new Map(rows.map((r) => [r.name, r]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) throw notFound(`no stored secret ${missing.join(', ')}`);
    return Object.fromEntries(names.map((n) => [n, cipher.open(n, sealedOf(byName.get(n) as SealedRow))]));
  }

  async function rotate(): Promise<{ rotated: number; failed: string[] }> {
    const failed: string[] = [];
    let rotated = 0;
    let last = '';
    // A page at a time, each in its own short transaction (PGlite serves one at a time).
    for (;;) {
      const page = await db.tx(async (t) => {
        const rows = await t.manyOrNone<SealedRow>(
          'SELECT * FROM secrets WHERE key_id <> $1 AND name > $2 ORDER BY name LIMIT 100 FOR UPDATE',
          [cipher.currentKeyId, last],
        );
        for (const r of rows) {
          let value: string;
          try {
            value = cipher.open(r.name, sealedOf(r));
          } catch {
            failed.push(r.name);
            continue;
          }
          const sealed = cipher.seal(r.name, value);
          await t.none('UPDATE secrets SET key_id = $2, iv = $3, ciphertext = $4, tag = $5 WHERE name = $1', [
            r.name, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag,
          ]);
          rotated++;
        }
        return rows;
      });
      last = page.at(-1)?.name ?? last;
      if (page.length < 100) return { rotated, failed };
    }
  }

  return {
    put: (name, value, by) => pgCall(() => put(name, value, by)),
    delete: (name, by) => pgCall(() => remove(name, by)),
    list: () => pgCall(async () => (await db.manyOrNone<SecretRow>(`SELECT ${infoColumns} FROM secrets ORDER BY name`)).map(infoFromRow)),
    resolve: (names) => pgCall(() => resolve(names)),
    rotate: () => pgCall(() => rotate()),
  };
}

/**
 * For a start-up check: per key id in use, whether any of a few of its values opens with the
 * configured keys. A wrong or missing master key fails every value under its id; one altered row
 * does not stop the server.
 */
export async function checkSecretKeys(db: Db, cipher: SecretCipher): Promise<{ readonly keyId: string; readonly ok: boolean }[]> {
  return pgCall(async () => {
    const rows = await db.manyOrNone<SealedRow>(
      `SELECT s.* FROM (SELECT DISTINCT key_id FROM secrets) k
       CROSS JOIN LATERAL (SELECT * FROM secrets WHERE key_id = k.key_id ORDER BY updated_at DESC LIMIT 3) s`,
    );
    const byKey = new Map<string, boolean>();
    for (const r of rows) {
      let ok = false;
      try {
        cipher.open(r.name, sealedOf(r));
        ok = true;
      } catch {
        ok = false;
      }
      byKey.set(r.key_id, (byKey.get(r.key_id) ?? false) || ok);
    }
    return [...byKey].map(([keyId, ok]) => ({ keyId, ok }));
  });
}
