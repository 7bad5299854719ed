import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from './secret-masker.ts';
import { AppError } from '../../core/errors.ts';

test('values shorter than minLength are refused, reported by name, and never over-mask', () => {
  const m = new SecretMasker();
  assert.deepEqual(m.add('SHORT_TOKEN', 'e'), { masked: false, reason: 'too_short' });
  assert.deepEqual(m.add('PADDED_TOKEN', '   ab   '), { masked: false, reason: 'too_short' });
  assert.deepEqual(m.add('EMPTY_TOKEN', ''), { masked: false, reason: 'empty' });
  assert.deepEqual(m.add('BLANK_TOKEN', ' \n\t '), { masked: false, reason: 'empty' });
  assert.deepEqual(m.tooShort, ['SHORT_TOKEN', 'PADDED_TOKEN']);
  assert.equal(m.size, 0);
  assert.equal(m.maskText('every e and ab stays'), 'every e and ab stays');
});

test('minLength is configurable and validated', () => {
  const m = new SecretMasker({ minLength: 3 });
  assert.deepEqual(m.add('PIN', 'abc'), { masked: true });
  assert.equal(m.maskText('xabcx'), 'x***PIN***x');
  assert.throws(() => new SecretMasker({ minLength: 0 }), (e: unknown) => e instanceof AppError && e.code === 'invalid_input');
});

test('adding the same value twice is harmless; the first name stays', () => {
  const m = new SecretMasker();
  assert.deepEqual(m.add('ONE_TOKEN', 'same-value-1'), { masked: true });
  assert.deepEqual(m.add('TWO_TOKEN', 'same-value-1'), { masked: true });
  assert.equal(m.size, 1);
  assert.equal(m.maskText('same-value-1'), '***ONE_TOKEN***');
});

test('maskText masks error messages and stacks, never a part of the value', () => {
  const m = new SecretMasker();
  m.add('API_KEY', 'AKIA-1234-5678-SECRET');
  const err = new Error('request failed for https://u:AKIA-1234-5678-SECRET@host/x');
  const masked = m.maskText(`${err.message}\n${err.stack ?? ''}`);
  assert.ok(!masked.includes('AKIA') && !masked.includes('5678'), masked);
  assert.ok(masked.startsWith('request failed for https://u:***API_KEY***@host/x\n'));
});

test('many secrets: each masked under its own name', () => {
  const m = new SecretMasker();
  const values = Array.from({ length: 300 }, (_, i) => `sec-${i}-${(i * 7919).toString(36)}-tail`);
  values.forEach((v, i) => m.add(`S${i}_TOKEN`, v));
  assert.equal(m.size, 300);
  for (const i of [0, 17, 150, 299]) assert.equal(m.maskText(`<${values[i]!}>`), `<***S${i}_TOKEN***>`);
});

test('a masker for one job token sets up in small buffers (each dispatched runner pays for them), a thousand secrets in full-size ones', () => {
  const bufferBytes = (secrets: number): number => {
    const m = new SecretMasker();
    for (let i = 0; i < secrets; i++) m.add(`S${i}`, `rct_${i.toString(36)}q9-Zb3dEf6hIj9kLmN0pQr5tUv8wXy1zAB4cDe7F`);
    const before = process.memoryUsage().arrayBuffers;
    m.finder();
    const used = process.memoryUsage().arrayBuffers - before;
    // Still masks: the finder is live, not skipped.
    assert.equal(m.maskText(`x rct_0q9-Zb3dEf6hIj9kLmN0pQr5tUv8wXy1zAB4cDe7F y`), 'x ***S0*** y');
    return used;
  };
  const one = bufferBytes(1);
  assert.ok(one < 256 * 1024, `one token's finder took ${one} bytes of buffers`);
  assert.ok(bufferBytes(1000) > 1024 * 1024, 'a thousand secrets get the full-size filters');
});
