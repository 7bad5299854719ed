import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../../core/errors.ts';
import { createSecretCipher, parseMasterKeys } from '../../../core/secret-cipher.ts';
import type { AuditEvent } from '../../../core/ports/audit-log.ts';
import { createPgAuditLog } from '../audit-log.ts';
import type { Db } from '../database.ts';
import { createPgJobStore } from '../job-store.ts';
import { checkSecretKeys, createPgSecretStore } from '../secret-store.ts';
import { createPgTokenStore } from '../token-store.ts';
import { sampleSpec } from './store-contract.ts';

const k1 = parseMasterKeys('k1:' + Buffer.alloc(32, 1).toString('base64'), 'S')[0]!;
const k2 = parseMasterKeys('k2:' + Buffer.alloc(32, 2).toString('base64'), 'S')[0]!;

/** The secret store and the audit log, run against Postgres and embedded PGlite by their test files. */
export function secretAuditContract(label: string, db: () => Db): void {
  const name = () => `S_${randomUUID().replaceAll('-', '_')}`;
  const event = (target: string, action: AuditEvent['action'] = 'secret.put'): AuditEvent => ({
    action,
    actor: { tokenId: randomUUID(), name: 'root', role: 'admin' },
    target: { kind: 'secret', id: target },
    secretNames: [target],
  });

  test(`${label}: a secret is stored sealed, listed without its value, resolved to its value`, async () => {
    const secrets = createPgSecretStore(db(), createSecretCipher([k1]));
    const n = name();
    const value = `value-${randomUUID()}`;
    const info = await secrets.put(n, value, { tokenId: null, audit: event(n) });
    assert.equal(info.keyId, 'k1');
    const listed = (await secrets.list()).find((s) => s.name === n);
    assert.deepEqual(listed, info);
    assert.ok(!JSON.stringify(await secrets.list()).includes(value));
    const raw = await db().one<Record<string, unknown>>('SELECT * FROM secrets WHERE name = $1', [n]);
    const rawText = JSON.stringify(raw) + Object.values(raw).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') + v.toString('hex') + v.toString('base64') : '')).join('');
    assert.ok(!rawText.includes(value) && !rawText.includes(Buffer.from(value).toString('hex')));
    assert.deepEqual(await secrets.resolve([n]), { [n]: value });
    // Replaced, the value changes and keeps its createdAt.
    const again = await secrets.put(n, 'second-value', { tokenId: null });
    assert.equal(again.createdAt, info.createdAt);
    assert.deepEqual(await secrets.resolve([n]), { [n]: 'second-value' });
  });

  test(`${label}: resolving names every missing secret; delete says whether there was one`, async () => {
    const secrets = createPgSecretStore(db(), createSecretCipher([k1]));
    const n = name();
    await secrets.put(n, 'present-value', { tokenId: null });
    await assert.rejects(secrets.resolve([n, 'NOPE_A', 'NOPE_B']), (err: unknown) => err instanceof AppError && err.code === 'not_found' && /NOPE_A, NOPE_B/.test(err.message));
    assert.equal(await secrets.delete(n, { audit: event(n, 'secret.delete') }), true);
    assert.equal(await secrets.delete(n, { audit: event(n, 'secret.delete') }), false);
    const deletes = await createPgAuditLog(db()).list({ targetId: n, actions: ['secret.delete'] }, { limit: 10 });
    assert.equal(deletes.entries.length, 1, 'a delete of nothing is not audited as a delete');
  });

  test(`${label}: a value copied onto another name, or altered by one byte, fails loudly without the value`, async () => {
    const secrets = createPgSecretStore(db(), createSecretCipher([k1]));
    const [a, b] = [name(), name()];
    await secrets.put(a, 'value-of-a-secret', { tokenId: null });
    await secrets.put(b, 'value-of-b-secret', { tokenId: null });
    await db().none('UPDATE secrets SET iv = s.iv, ciphertext = s.ciphertext, tag = s.tag FROM secrets s WHERE secrets.name = $1 AND s.name = $2', [b, a]);
    const fails = (n: string) => (err: unknown) =>
      err instanceof AppError && err.code === 'internal' && err.message.includes(n) && !/value-of/.test(err.message) && err.cause === undefined;
    await assert.rejects(secrets.resolve([b]), fails(b));
    await db().none(`UPDATE secrets SET ciphertext = overlay(ciphertext placing decode(lpad(to_hex(get_byte(ciphertext, 3) # 1), 2, '0'), 'hex') from 4 for 1) WHERE name = $1`, [a]);
    await assert.rejects(secrets.resolve([a]), fails(a));
  });

  test(`${label}: rotation re-seals old values under the current key; a missing key is named`, async () => {
    const n = name();
    await createPgSecretStore(db(), createSecretCipher([k1])).put(n, 'rotating-value', { tokenId: null });
    const withoutK1 = createPgSecretStore(db(), createSecretCipher([k2]));
    await assert.rejects(withoutK1.resolve([n]), /sealed under master key k1, which is not configured/);
    const rotated = createPgSecretStore(db(), createSecretCipher([k2, k1]));
    assert.deepEqual(await rotated.resolve([n]), { [n]: 'rotating-value' });
    const first = await rotated.rotate();
    assert.ok(first.rotated >= 1 && !first.failed.includes(n));
    assert.equal((await rotated.list()).find((s) => s.name === n)?.keyId, 'k2');
    assert.deepEqual(await withoutK1.resolve([n]), { [n]: 'rotating-value' });
    assert.equal((await rotated.rotate()).rotated, 0);
  });

  test(`${label}: the key check finds a key id whose values all fail`, async () => {
    const n = name();
    await createPgSecretStore(db(), createSecretCipher([k2])).put(n, 'checked-value', { tokenId: null });
    const wrongK2 = parseMasterKeys('k2:' + Buffer.alloc(32, 9).toString('base64'), 'S')[0]!;
    assert.ok((await checkSecretKeys(db(), createSecretCipher([wrongK2]))).some((r) => r.keyId === 'k2' && !r.ok));
    assert.ok((await checkSecretKeys(db(), createSecretCipher([k2]))).some((r) => r.keyId === 'k2' && r.ok));
  });

  test(`${label}: an audited write that fails leaves no entry, and an entry fails its write`, async () => {
    const secrets = createPgSecretStore(db(), createSecretCipher([k1]));
    const bad = 'not a valid name';
    await assert.rejects(secrets.put(bad, 'some-value', { tokenId: null, audit: event(bad) }));
    assert.equal((await createPgAuditLog(db()).list({ targetId: bad }, { limit: 10 })).entries.length, 0);
    const n = name();
    const broken = { ...event(n), target: { kind: 'secret', id: null as unknown as string } };
    await assert.rejects(secrets.put(n, 'some-value', { tokenId: null, audit: broken }));
    assert.equal((await secrets.list()).some((s) => s.name === n), false, 'the secret is not written without its audit entry');
  });

  test(`${label}: every job insert is audited by the database with the submitter, digest and secret names`, async () => {
    const tokens = createPgTokenStore(db());
    const { info } = await tokens.create({ name: 'ci-bot', role: 'maintainer', expiresAt: null, createdBy: null });
    const jobs = createPgJobStore(db());
    const digest = 'a'.repeat(64);
    const spec = sampleSpec({ name: 'audited', secrets: ['NPM_TOKEN'], jobCode: { kind: 'tarball', url: 'https://example.com/c.tgz', sha256: digest } });
    // Grouped inserts too: several at once.
    const made = await Promise.all(Array.from({ length: 6 }, () => jobs.submit({ spec, submittedBy: info.id })));
    const audit = createPgAuditLog(db());
    for (const { job } of made) {
      const { entries } = await audit.list({ targetKind: 'job', targetId: job.id }, { limit: 10 });
      assert.equal(entries.length, 1);
      const e = entries[0]!;
      assert.equal(e.action, 'job.submit');
      assert.deepEqual(e.actor, { tokenId: info.id, name: 'ci-bot', role: 'maintainer' });
      assert.equal(e.jobCodeDigest, digest);
      assert.deepEqual(e.secretNames, ['NPM_TOKEN']);
      assert.equal(e.at, job.createdAt);
    }
  });

  test(`${label}: the audit list filters and pages newest first by cursor`, async () => {
    const audit = createPgAuditLog(db());
    const target = randomUUID();
    for (let i = 0; i < 5; i++) await audit.record({ ...event(target, i % 2 === 0 ? 'secret.put' : 'secret.delete') });
    const seen: string[] = [];
    let page = await audit.list({ targetId: target }, { limit: 2 });
    seen.push(...page.entries.map((e) => e.id));
    while (page.next !== null) {
      page = await audit.list({ targetId: target }, { limit: 2, after: page.next });
      seen.push(...page.entries.map((e) => e.id));
    }
    assert.equal(new Set(seen).size, 5);
    assert.equal((await audit.list({ targetId: target, actions: ['secret.put'] }, { limit: 10 })).entries.length, 3);
    assert.equal((await audit.list({ targetId: target, before: '2000-01-01T00:00:00Z' }, { limit: 10 })).entries.length, 0);
  });
}
