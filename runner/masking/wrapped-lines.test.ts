import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SecretMasker } from './secret-masker.ts';
import { referenceMask } from './reference-masker.ts';
import { base64Needles } from './binary-forms.ts';

const secret = 'AKIA-9f8e7d6c5b4a-Secret';
const needles = base64Needles(Buffer.from(secret)).map((b) => b.toString());

function masker(): SecretMasker {
  const m = new SecretMasker();
  m.add('AWS_SECRET_KEY', secret);
  return m;
}

test('`env | base64` wraps at 76 columns: a secret cut by the wrap is still masked', () => {
  const m = masker();
  let crossed = 0;
  for (let pad = 0; pad < 76; pad += 5) {
    const r = spawnSync('sh', ['-c', '{ echo "$P"; env; } | base64'], { env: { P: 'x'.repeat(pad), AWS_SECRET_KEY: secret }, encoding: 'utf8' });
    assert.equal(r.status, 0);
    const flat = r.stdout.replace(/\n/g, '');
    assert.ok(Buffer.from(flat, 'base64').toString().includes(secret));
    if (!needles.some((n) => r.stdout.includes(n))) crossed++;
    const out = m.maskText(r.stdout);
    assert.ok(out.includes('***AWS_SECRET_KEY***'), out);
    const outFlat = out.replace(/\r?\n/g, '');
    for (const n of needles) assert.ok(!outFlat.includes(n.slice(0, 12)) || !outFlat.includes(n), `pad ${pad}: ${out}`);
    assert.ok(!Buffer.from(outFlat.split('***AWS_SECRET_KEY***').join(''), 'base64').toString('latin1').includes('9f8e7d6c'));
  }
  assert.ok(crossed >= 3, `the wrap cut the secret's base64 in ${crossed} runs`);
});

test('PEM-width (64) and CRLF wraps, every split point of the stream', () => {
  const m = masker();
  const blob = Buffer.from(`{"user":"${'u'.repeat(20)}","key":"${secret}","more":"${'z'.repeat(40)}"}`).toString('base64');
  const wrapped = `data:\r\n${blob.match(/.{1,64}/g)!.join('\r\n')}\r\nend\n`;
  const input = Buffer.from(wrapped);
  const want = referenceMask(input, [['AWS_SECRET_KEY', secret]]);
  assert.ok(!needles.some((n) => wrapped.includes(n)), 'test setup: the wrap cuts the needle');
  assert.ok(want.toString().includes('***AWS_SECRET_KEY***'));
  for (let i = 0; i <= input.length; i++) {
    const s = m.stream();
    const out = Buffer.concat([s.write(input.subarray(0, i)), s.write(input.subarray(i)), s.end()]);
    assert.equal(out.toString(), want.toString(), `split at ${i}`);
  }
});

test('lines that are not wrapped base64 are not joined, and stay live', () => {
  const m = masker();
  const first = Buffer.from(needles[0]!.slice(0, 10));
  const s = m.stream();
  // A base64-only line of another width is not a wrapped line: emitted at once.
  assert.deepEqual(Buffer.from(s.write(Buffer.concat([first, Buffer.from('\n')]))), Buffer.concat([first, Buffer.from('\n')]));
  // A line with a space is not either, even when the rest of the needle follows on the next line.
  const line = Buffer.from(`see ${'Q'.repeat(20)}${needles[0]!.slice(0, 10)}\n`);
  assert.deepEqual(Buffer.from(s.write(line)), line);
  assert.equal(s.pending, 0);
  assert.equal(Buffer.concat([s.write(Buffer.from(`${needles[0]!.slice(10)}\n`)), s.end()]).toString(), `${needles[0]!.slice(10)}\n`);
});

test('a 76-column base64 line ending in a needle prefix is held only until the next byte decides', () => {
  const m = masker();
  const s = m.stream();
  const n = needles[0]!;
  const line = `${'Q'.repeat(60)}${n.slice(0, 16)}\n`;
  const held = Buffer.from(s.write(Buffer.from(line))).toString();
  assert.equal(held, 'Q'.repeat(60));
  const other = masker().stream();
  const wider = `${'Q'.repeat(61)}${n.slice(0, 16)}\n`;
  assert.equal(Buffer.from(other.write(Buffer.from(wider))).toString(), wider, '77 columns: not a wrap width');
  assert.equal(Buffer.from(s.write(Buffer.from(' not base64\n'))).toString(), `${n.slice(0, 16)}\n not base64\n`);
  assert.equal(s.pending, 0);
});

test('`xxd -p` wraps hex at 60 columns: a secret cut by the wrap is still masked', () => {
  const m = masker();
  let crossed = 0;
  for (let pad = 0; pad < 30; pad += 3) {
    const r = spawnSync('sh', ['-c', 'printf "%s:%s" "$P" "$AWS_SECRET_KEY" | xxd -p'], { env: { P: 'p'.repeat(pad), AWS_SECRET_KEY: secret }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const hex = Buffer.from(secret).toString('hex');
    if (!r.stdout.includes(hex)) crossed++;
    const out = m.maskText(r.stdout);
    assert.ok(!out.replace(/\n/g, '').includes(hex.slice(8, 40)), `pad ${pad}: ${out}`);
  }
  assert.ok(crossed >= 3, `the wrap cut the secret's hex in ${crossed} runs`);
});
