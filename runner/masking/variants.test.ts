import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SecretMasker } from './secret-masker.ts';
import { fullFormsLimit, secretVariants } from './variants.ts';
import { base64Needles } from './binary-forms.ts';

// Each form is produced by the real encoder a job would use, then must not survive maskText.
const secret = `p@ss w/rd&"x'<é>+~!*()`;

function maskerFor(value: string): SecretMasker {
  const m = new SecretMasker();
  assert.deepEqual(m.add('DB_PASSWORD', value), { masked: true });
  return m;
}

function assertMasked(masker: SecretMasker, printed: string, encoded: string): void {
  assert.ok(printed.includes(encoded), 'test setup: the printed text holds the encoded secret');
  const out = masker.maskText(printed);
  assert.ok(!out.includes(encoded), `encoded form survived: ${out}`);
  assert.ok(out.includes('***DB_PASSWORD***'), out);
}

test('raw value, inside other text', () => {
  assertMasked(maskerFor(secret), `connect with ${secret} now`, secret);
});

test('JSON string escaping: plain, \\/ and \\uXXXX spellings, and JSON inside JSON', () => {
  const m = maskerFor(secret);
  const plain = JSON.stringify({ password: secret });
  assertMasked(m, plain, JSON.stringify(secret).slice(1, -1));
  const slashed = plain.replace(/\//g, '\\/');
  assertMasked(m, slashed, slashed.slice(13, -2));
  const ascii = plain.replace(/é/g, '\\u00e9');
  assertMasked(m, ascii, ascii.slice(13, -2));
  assertMasked(m, ascii.replace('\\u00e9', '\\u00E9'), ascii.replace('\\u00e9', '\\u00E9').slice(13, -2));
  const twice = JSON.stringify({ body: plain });
  assertMasked(m, twice, JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
});

test('percent-encoding: encodeURIComponent, URLSearchParams (+), lowercase hex, RFC 3986', () => {
  const m = maskerFor(secret);
  const component = encodeURIComponent(secret);
  assertMasked(m, `https://host/x?pw=${component}&y=1`, component);
  const form = new URLSearchParams({ pw: secret }).toString().slice(3);
  assert.ok(form.includes('+'));
  assertMasked(m, `body: pw=${form}`, form);
  const lower = component.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  assertMasked(m, `GET /?q=${lower}`, lower);
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  assertMasked(m, `curl ${strict}`, strict);
});

test('shell escaping: bash printf %q, set -x single-quoting, double quotes', () => {
  const m = maskerFor(secret);
  const q = spawnSync('bash', ['-c', 'printf %q "$S"'], { env: { S: secret }, encoding: 'utf8' });
  assert.equal(q.status, 0);
  assertMasked(m, `+ curl -u ${q.stdout}`, q.stdout);
  const trace = spawnSync('bash', ['-xc', 'true "$S"'], { env: { S: secret }, encoding: 'utf8' });
  const traced = trace.stderr.trim().replace(/^\+ true /, '');
  assert.ok(traced.includes(`'\\''`), traced);
  assertMasked(m, trace.stderr, traced.slice(1, -1));
  const dq = secret.replace(/[\\"$`]/g, (c) => `\\${c}`);
  assertMasked(m, `echo "${dq}"`, dq);
});

test('XML/HTML escaping: &quot; with &#39;, &#x27; and &apos;, and text-content escaping', () => {
  const m = maskerFor(secret);
  const base = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const apos of ['&#39;', '&#x27;', '&apos;']) {
    const html = base.replace(/"/g, '&quot;').replace(/'/g, apos);
    assertMasked(m, `<input value="${html}">`, html);
  }
  assertMasked(m, `<p>${base}</p>`, base);
});

test('base64 and base64url: the secret inside any larger blob, at every alignment', () => {
  const value = 'sk_live_Zq9?~>>xYw';
  const m = maskerFor(value);
  for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
    for (const suffix of ['', '\n', 'x', 'yz', ' and more text']) {
      const blob = Buffer.from(prefix + value + suffix);
      for (const encoded of [blob.toString('base64'), blob.toString('base64url')]) {
        const out = m.maskText(`data: ${encoded} end`);
        assert.ok(out.includes('***DB_PASSWORD***'), `${prefix}|${suffix}: ${out}`);
        // What is left of the blob must not decode back to the secret.
        assert.ok(!Buffer.from(out, 'base64').toString('latin1').includes(value));
      }
    }
  }
});

test('base64 needles only hold characters that depend on the secret alone', () => {
  const value = Buffer.from('0123456789');
  const needles = base64Needles(value);
  for (const filler of [0x00, 0xff, 0x41]) {
    for (const after of [0x00, 0xff, 0x7a]) {
      for (let k = 0; k < 3; k++) {
        const blob = Buffer.concat([Buffer.alloc(k, filler), value, Buffer.from([after])]).toString('base64');
        assert.ok(needles.some((n) => blob.includes(n.toString())), `k=${k} filler=${filler} after=${after}`);
      }
    }
  }
});

test('hex, lower and upper case', () => {
  const m = maskerFor(secret);
  const hex = Buffer.from(secret).toString('hex');
  assertMasked(m, `dump ${hex}`, hex);
  assertMasked(m, `DUMP ${hex.toUpperCase()}`, hex.toUpperCase());
});

test('multi-line value: each line, the whole value with LF or CRLF, short lines left alone', () => {
  const key = '-----BEGIN KEY-----\nMIIEowIBAAKCAQEA1x\nZm9vYmFyYmF6cXV4\n-----END KEY-----\nab\n';
  const m = maskerFor(key);
  const crlf = key.replace(/\n/g, '\r\n');
  const out = m.maskText(`key:\r\n${crlf}done`);
  assert.equal(out, 'key:\r\n***DB_PASSWORD***done');
  const oneLine = m.maskText('seen: MIIEowIBAAKCAQEA1x only');
  assert.equal(oneLine, 'seen: ***DB_PASSWORD*** only');
  // The 2-character line "ab" is a variant of nothing: masking it would ruin every log.
  assert.equal(m.maskText('about tabs'), 'about tabs');
});

test('variants are deduplicated and none is shorter than minLength', () => {
  const v = secretVariants('abcdef', 6);
  const keys = v.map((b) => b.toString('latin1'));
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(v.every((b) => b.length >= 6));
  assert.ok(keys.includes('abcdef') && keys.includes('616263646566') && keys.includes('YWJjZGVm'));
});

test('a trailing newline in the value does not stop the value without it from masking', () => {
  const m = maskerFor('hunter2hunter2\n');
  assert.equal(m.maskText('pw=hunter2hunter2;'), 'pw=***DB_PASSWORD***;');
});

test('Python repr, SQL and CSV quote doubling, and the case-folded value', () => {
  const m = maskerFor(secret);
  const repr = spawnSync('python3', ['-c', 'import os; print(repr(os.environ["S"]))'], { env: { S: secret, PYTHONIOENCODING: 'utf-8' }, encoding: 'utf8' });
  assert.equal(repr.status, 0, repr.stderr);
  const inner = repr.stdout.trim().slice(1, -1);
  assert.ok(inner.includes(`\\'`), inner);
  assertMasked(m, repr.stdout, inner);
  assertMasked(m, `INSERT INTO t VALUES ('${secret.replace(/'/g, "''")}')`, secret.replace(/'/g, "''"));
  assertMasked(m, `a,"${secret.replace(/"/g, '""')}",b`, secret.replace(/"/g, '""'));
  const upper = spawnSync('bash', ['-c', 'printf %s "${S^^}"'], { env: { S: secret, LC_ALL: 'C.UTF-8' }, encoding: 'utf8' });
  assertMasked(m, `shout ${upper.stdout}!`, upper.stdout);
});

test('a very large value gets its raw, JSON and line forms only, and is still masked line by line', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `MIIC${i.toString().padStart(4, '0')}${'x'.repeat(56)}`);
  const bundle = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  assert.ok(bundle.length > fullFormsLimit);
  const needles = secretVariants(bundle, 6);
  assert.ok(needles.length < 420, `${needles.length} needles`);
  const total = needles.reduce((n, b) => n + b.length, 0);
  assert.ok(total < 16 * bundle.length, `${total} needle bytes for a ${bundle.length}-byte value`);
  const m = maskerFor(bundle);
  assert.equal(m.maskText(`line: ${lines[123]!} end`), 'line: ***DB_PASSWORD*** end');
});

test('a value the encoders leave as it is (a token) is its own encoding: the short cuts hold against the real encoders', () => {
  // variants.ts skips an encoder's forms for a value with none of the characters it changes;
  // here each real encoder, given such a value, prints it unchanged.
  for (const token of ['rcj_0123456789abcdef-XYZ.tail', 'AbCdEf0123456789']) {
    const url = new URL(`http://${token}:${token}@host/${token}?${token}`);
    for (const encoded of [
      encodeURIComponent(token),
      encodeURI(token),
      new URLSearchParams({ t: token }).toString().slice(2),
      url.username,
      url.password,
      url.pathname.slice(1),
      url.search.slice(1),
      JSON.stringify(token).slice(1, -1),
      JSON.stringify(JSON.stringify(token)).slice(3, -3),
    ]) {
      assert.equal(encoded, token);
    }
  }
  const alnum = 'AbCdEf0123456789';
  const q = spawnSync('bash', ['-c', 'printf %q "$S"'], { env: { S: alnum }, encoding: 'utf8' });
  assert.equal(q.stdout, alnum);
  // JSON leaves every printable ASCII character but '"', '\' (and '/', escaped by some) alone.
  const jsonPlain = ' !#$%&()*+,-.:;<=>?@[]^_`{|}~azAZ09';
  assert.equal(JSON.stringify(jsonPlain).slice(1, -1), jsonPlain);
  // And the needles of such a value are the value, its case folds, base64 and hex: nothing lost.
  const keys = new Set(secretVariants('rcj_0123456789abcdef-XYZ.tail', 6).map((b) => b.toString('latin1')));
  for (const form of ['rcj_0123456789abcdef-XYZ.tail', 'RCJ_0123456789ABCDEF-XYZ.TAIL', 'rcj_0123456789abcdef-xyz.tail', 'rcj\\_0123456789abcdef\\-XYZ\\.tail']) {
    assert.ok(keys.has(form), form);
  }
  assert.ok(keys.has(Buffer.from('rcj_0123456789abcdef-XYZ.tail').toString('hex')));
});
