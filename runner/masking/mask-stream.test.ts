import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from './secret-masker.ts';
import type { MaskStream } from './mask-stream.ts';
import { referenceMask } from './reference-masker.ts';
import { MatchFinder } from './match-finder.ts';

function feed(stream: MaskStream, chunks: readonly Uint8Array[]): string {
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(Buffer.from(stream.write(c)));
  out.push(stream.end());
  return Buffer.concat(out).toString('utf8');
}

function masker(secrets: ReadonlyArray<readonly [string, string]>): SecretMasker {
  const m = new SecretMasker();
  for (const [name, value] of secrets) m.add(name, value);
  return m;
}

const secrets = [['NPM_TOKEN', 'npm_Xy7Qé9zzTok']] as const;
const text = Buffer.from('line one\nauth npm_Xy7Qé9zzTok ok\nbase64 ' + Buffer.from('u:npm_Xy7Qé9zzTok').toString('base64') + '\n');
const expected = referenceMask(text, secrets).toString('utf8');

test('the expected output masks the raw and the base64 occurrence', () => {
  assert.equal(expected.split('***NPM_TOKEN***').length, 3, expected);
  assert.ok(!expected.includes('npm_Xy7Q'));
});

test('every single split point, including inside the two-byte é', () => {
  const m = masker(secrets);
  for (let i = 0; i <= text.length; i++) {
    assert.equal(feed(m.stream(), [text.subarray(0, i), text.subarray(i)]), expected, `split at ${i}`);
  }
});

test('every pair of split points', () => {
  const m = masker(secrets);
  for (let i = 0; i <= text.length; i++) {
    for (let j = i; j <= text.length; j++) {
      const got = feed(m.stream(), [text.subarray(0, i), text.subarray(i, j), text.subarray(j)]);
      assert.equal(got, expected, `split at ${i}, ${j}`);
    }
  }
});

test('one byte per write', () => {
  const m = masker(secrets);
  const chunks = [...text].map((b) => Uint8Array.of(b));
  assert.equal(feed(m.stream(), chunks), expected);
});

test('overlapping, nested, shared-prefix and substring secrets merge into one marker', () => {
  const m = masker([
    ['A_TOKEN', 'abcdefgh'],
    ['B_TOKEN', 'efghijkl'], // overlaps the end of A
    ['C_TOKEN', 'abcdefXY'], // shares a prefix with A
    ['D_TOKEN', 'cdefgh'], // a substring of A
    ['E_TOKEN', 'zzzzzzzzzzcdefghzz'], // contains D
  ]);
  assert.equal(m.maskText('[abcdefghijkl]'), '[***A_TOKEN***]');
  assert.equal(m.maskText('[abcdefXY]'), '[***C_TOKEN***]');
  assert.equal(m.maskText('[xxcdefghxx]'), '[xx***D_TOKEN***xx]');
  assert.equal(m.maskText('[zzzzzzzzzzcdefghzz]'), '[***E_TOKEN***]');
  assert.equal(m.maskText('[abcdefgabcdefgh]'), '[abcdefg***A_TOKEN***]');
  // Adjacent occurrences are one region, named after the first.
  assert.equal(m.maskText('<efghijklabcdefgh>'), '<***B_TOKEN***>');
  assert.equal(m.maskText('<abcdefgh efghijkl>'), '<***A_TOKEN*** ***B_TOKEN***>');
});

test('the name is sanitised, so a name cannot smuggle text into the log', () => {
  const m = masker([['EVIL\n***X*** \u001b[31m', 'sekrit-value']]);
  assert.equal(m.maskText('v=sekrit-value'), 'v=***EVIL____X______31m***');
});

test('liveness: a line with no partial match is emitted at once, nothing held', () => {
  const m = masker(secrets);
  const s = m.stream();
  const line = Buffer.from('compiling src/index.ts ... done in 42ms\n');
  assert.deepEqual(Buffer.from(s.write(line)), line);
  assert.equal(s.pending, 0);
  // A partial match is held, and only as far as it reaches.
  assert.equal(Buffer.from(s.write(Buffer.from('token: npm_Xy'))).toString(), 'token: ');
  assert.equal(s.pending, 'npm_Xy'.length);
  assert.equal(Buffer.from(s.write(Buffer.from('Z and on\n'))).toString(), 'npm_XyZ and on\n');
  assert.equal(s.pending, 0);
});

test('a secret added while a stream is open applies to everything not yet emitted', () => {
  const m = masker([['FIRST_TOKEN', 'first-secret-1']]);
  const s = m.stream();
  const a = Buffer.from(s.write(Buffer.from('see late-secret-22 and first-sec'))).toString();
  assert.equal(a, 'see late-secret-22 and ', 'emitted before the second secret existed');
  m.add('LATE_TOKEN', 'late-secret-22');
  const b = Buffer.from(s.write(Buffer.from('ret-1 then late-sec'))).toString();
  const c = Buffer.from(s.write(Buffer.from('ret-22!'))).toString();
  assert.equal(a + b + c + Buffer.from(s.end()).toString(), 'see late-secret-22 and ***FIRST_TOKEN*** then ***LATE_TOKEN***!');
});

test('a secret added while its start is held is masked from that start', () => {
  const m = masker([['FIRST_TOKEN', 'late-secret-222']]);
  const s = m.stream();
  assert.equal(Buffer.from(s.write(Buffer.from('x late-secret-2'))).toString(), 'x ');
  m.add('LATE_TOKEN', 'late-secret-22');
  assert.equal(Buffer.from(s.write(Buffer.from('2 y'))).toString() + Buffer.from(s.end()).toString(), '***LATE_TOKEN*** y');
});

test('a long run of back-to-back secrets keeps memory bounded and reveals nothing', () => {
  const secret = 'Rr0-0123456789';
  const m = masker([['RUN_TOKEN', secret]]);
  const s = m.stream();
  const chunk = Buffer.from(secret.repeat(1000));
  let out = '';
  let maxPending = 0;
  for (let i = 0; i < 20; i++) {
    out += Buffer.from(s.write(chunk)).toString();
    maxPending = Math.max(maxPending, s.pending);
  }
  out += Buffer.from(s.end()).toString();
  assert.ok(maxPending < 80 * 1024, `held ${maxPending}`);
  assert.ok(!out.includes('0123456789'), 'no part of the value survives');
  assert.match(out, /^(\*\*\*RUN_TOKEN\*\*\*)+$/);
});

test('a stream with no secrets passes bytes through untouched', () => {
  const s = new SecretMasker().stream();
  const b = Buffer.from('anything at all');
  assert.equal(s.write(b), b);
  assert.equal(s.end().length, 0);
});

test('non-Buffer Uint8Array input works and the returned bytes stay valid after the input is reused', () => {
  const m = masker(secrets);
  const s = m.stream();
  const buf = new Uint8Array(Buffer.from('ab npm_Xy7'));
  const first = Buffer.from(s.write(buf));
  buf.fill(0x21);
  const rest = Buffer.from(s.write(Buffer.from('Qé9zzTok!')));
  assert.equal(Buffer.concat([first, rest, s.end()]).toString(), 'ab ***NPM_TOKEN***!');
});

test('text built to pass the filter everywhere falls back to the automaton with the same result', () => {
  const secret = `${'a'.repeat(40)}b`;
  const m = masker([['REPEAT_TOKEN', secret]]);
  const input = Buffer.from(`${'a'.repeat(20000)}${secret}${'a'.repeat(3000)}\n${secret.slice(0, 30)}`);
  const want = referenceMask(input, [['REPEAT_TOKEN', secret]]).toString();
  assert.equal(want.split('***REPEAT_TOKEN***').length, 2);
  for (const size of [1, 7, 4096, input.length]) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; at += size) chunks.push(input.subarray(at, at + size));
    assert.equal(feed(m.stream(), chunks), want, `chunks of ${size}`);
  }
});

test('a stream opened before any secret masks one added later', () => {
  const m = new SecretMasker();
  const s = m.stream();
  assert.equal(Buffer.from(s.write(Buffer.from('before: sekrit-later\n'))).toString(), 'before: sekrit-later\n');
  m.add('LATER_TOKEN', 'sekrit-later');
  const out = Buffer.concat([s.write(Buffer.from('after: sekrit-')), s.write(Buffer.from('later\n')), s.end()]).toString();
  assert.equal(out, 'after: ***LATER_TOKEN***\n');
});

test('secrets registered one by one while streaming (small finders, then a rebuild) mask like the reference', () => {
  const word = (i: number, salt: string): string => `${salt}${(i * 2654435761 % 2 ** 32).toString(36)}-${i}`;
  const secrets: Array<[string, string]> = Array.from({ length: 40 }, (_, i) => [`OLD_${i}_TOKEN`, word(i, 'old')]);
  const m = masker(secrets);
  const s = m.stream();
  const parts: Buffer[] = [];
  let input = '';
  let grouped = 0;
  for (let i = 0; i < 30; i++) {
    const fresh: [string, string] = [`NEW_${i}_TOKEN`, word(i, 'new')];
    m.add(...fresh);
    secrets.push(fresh);
    if (!(m.finder() instanceof MatchFinder)) grouped++;
    const text = `step ${i}: ${fresh[1]} and ${secrets[i]![1]} as ${Buffer.from(`u:${fresh[1]}`).toString('base64')}\n`;
    input += text;
    const bytes = Buffer.from(text);
    const cut = (i * 7) % bytes.length;
    parts.push(Buffer.from(s.write(bytes.subarray(0, cut))), Buffer.from(s.write(bytes.subarray(cut))));
  }
  parts.push(Buffer.from(s.end()));
  assert.ok(grouped > 0 && grouped < 30, `${grouped} of 30 adds used a small finder`);
  assert.equal(Buffer.concat(parts).toString(), referenceMask(Buffer.from(input), secrets).toString());
});
