import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSecretCipher, generateMasterKey, parseMasterKeys } from './secret-cipher.ts';

const key = (id: string) => `${id}:${generateMasterKey()}`;

test('keys parse from id:base64 pairs, the first is current', () => {
  const keys = parseMasterKeys(`${key('k2')}, ${key('k1')}`, 'REACTORCIDE_SECRET_KEYS');
  assert.deepEqual(keys.map((k) => k.id), ['k2', 'k1']);
  assert.equal(createSecretCipher(keys).currentKeyId, 'k2');
});

test('a malformed key setting names the setting and the key id, never the key', () => {
  const short = Buffer.from('sixteen bytes!!!').toString('base64');
  for (const [text, pattern] of [
    [`k1:${short}`, /REACTORCIDE_SECRET_KEYS: key k1 must be 32 bytes/],
    [generateMasterKey(), /REACTORCIDE_SECRET_KEYS: each entry must be/],
    [`${key('a')},${key('a')}`, /appears twice/],
    ['', /names no key/],
  ] as const) {
    assert.throws(() => parseMasterKeys(text, 'REACTORCIDE_SECRET_KEYS'), (err: Error) => {
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes(short));
      return true;
    });
  }
});

test('sealing uses a fresh IV each time and binds the name', () => {
  const cipher = createSecretCipher(parseMasterKeys(key('k1'), 'S'));
  const a = cipher.seal('NPM_TOKEN', 'hunter2-value');
  const b = cipher.seal('NPM_TOKEN', 'hunter2-value');
  assert.notDeepEqual(a.iv, b.iv);
  assert.notDeepEqual(a.ciphertext, b.ciphertext);
  assert.equal(a.iv.length, 12);
  assert.equal(cipher.open('NPM_TOKEN', a), 'hunter2-value');
  assert.throws(() => cipher.open('OTHER_NAME', a), /secret OTHER_NAME could not be decrypted with master key k1/);
});

test('an altered byte anywhere, a truncated tag or a wrong key fails loudly without the value', () => {
  const cipher = createSecretCipher(parseMasterKeys(key('k1'), 'S'));
  const sealed = cipher.seal('DEPLOY_KEY', 'the-deploy-value');
  const flip = (b: Buffer, i: number) => {
    const c = Buffer.from(b);
    c[i] = (c[i] ?? 0) ^ 1;
    return c;
  };
  const variants = [
    { ...sealed, ciphertext: flip(sealed.ciphertext, 0) },
    { ...sealed, iv: flip(sealed.iv, 11) },
    { ...sealed, tag: flip(sealed.tag, 15) },
    { ...sealed, tag: sealed.tag.subarray(0, 4) },
  ];
  for (const v of variants) {
    assert.throws(() => cipher.open('DEPLOY_KEY', v), (err: Error) => /could not be decrypted/.test(err.message) && !err.message.includes('the-deploy-value'));
  }
  const other = createSecretCipher([{ id: 'k1', key: randomBytes(32) }]);
  assert.throws(() => other.open('DEPLOY_KEY', sealed), /could not be decrypted with master key k1/);
  const none = createSecretCipher([{ id: 'k9', key: randomBytes(32) }]);
  assert.throws(() => none.open('DEPLOY_KEY', sealed), /sealed under master key k1, which is not configured/);
});

test('after a rotation, values sealed under the old key still open', () => {
  const [k1] = parseMasterKeys(key('k1'), 'S');
  const [k2] = parseMasterKeys(key('k2'), 'S');
  const old = createSecretCipher([k1!]).seal('A_SECRET', 'old-value-1');
  const rotated = createSecretCipher([k2!, k1!]);
  assert.equal(rotated.open('A_SECRET', old), 'old-value-1');
  assert.equal(rotated.seal('A_SECRET', 'x-value').keyId, 'k2');
});
