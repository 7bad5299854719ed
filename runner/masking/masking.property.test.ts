import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SecretMasker } from './secret-masker.ts';
import { referenceMask } from './reference-masker.ts';
import { secretVariants } from './variants.ts';

// Secrets draw from characters every encoder treats differently, plus multi-byte ones, so splits
// land inside UTF-8 sequences. No '*': a marker must not be able to complete a secret.
const secretChars = [...'abcXYZ019_-./+=%&<>"\' \\$!~é€😀'];
const fillerChars = [...'abcxyz0189 _-./:=+%&"\n\r\té€😀[]{}'];

const secretArb = fc.string({ unit: fc.constantFrom(...secretChars), minLength: 6, maxLength: 24 });
const fillerArb = fc.string({ unit: fc.constantFrom(...fillerChars), maxLength: 30 });

interface Case {
  secrets: Array<[string, string]>;
  input: Buffer;
  cuts: number[];
}

/** Random secrets, a text of filler, secrets, their variants and base64 of prefix+secret+suffix, and a chunking. */
const caseArb: fc.Arbitrary<Case> = fc
  .array(secretArb, { minLength: 1, maxLength: 5 })
  .chain((values) => {
    const secrets = values.map((v, i): [string, string] => [`S${i}_TOKEN`, v]);
    const variants = values.map((v) => secretVariants(v, 6));
    const piece = fc.oneof(
      fillerArb.map((s) => Buffer.from(s)),
      fc.nat().map((i) => Buffer.from(values[i % values.length]!)),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => {
        const vs = variants[i % variants.length]!;
        return vs[j % vs.length]!;
      }),
      fc.tuple(fc.nat(), fillerArb, fillerArb, fc.boolean()).map(([i, pre, post, url]) =>
        Buffer.from(Buffer.from(pre + values[i % values.length]! + post).toString(url ? 'base64url' : 'base64')),
      ),
      // base64 wrapped across lines like `base64` (76), PEM (64) or OpenSSH keys (70), LF or CRLF.
      fc.tuple(fc.nat(), fillerArb, fillerArb, fc.constantFrom(60, 64, 70, 76), fc.boolean()).map(([i, pre, post, width, crlf]) => {
        const blob = Buffer.from(pre + values[i % values.length]! + post).toString('base64');
        const lines = blob.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
        return Buffer.from(`\n${lines.join(crlf ? '\r\n' : '\n')}\n`);
      }),
    );
    return fc.record({
      secrets: fc.constant(secrets),
      input: fc.array(piece, { maxLength: 12 }).map((parts) => Buffer.concat(parts)),
      cuts: fc.array(fc.nat(), { maxLength: 8 }),
    });
  });

function chunk(input: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (input.length === 0 ? 0 : c % (input.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(input.subarray(from, p));
    from = p;
  }
  chunks.push(input.subarray(from));
  return chunks;
}

function streamMask(masker: SecretMasker, chunks: readonly Buffer[]): Buffer {
  const s = masker.stream();
  const out = chunks.map((c) => Buffer.from(s.write(c)));
  out.push(Buffer.from(s.end()));
  return Buffer.concat(out);
}

function build(secrets: ReadonlyArray<readonly [string, string]>): SecretMasker {
  const m = new SecretMasker();
  for (const [name, value] of secrets) m.add(name, value);
  return m;
}

test('any chunking: output equals the reference (masked regions replaced, nothing else changed)', () => {
  fc.assert(
    fc.property(caseArb, ({ secrets, input, cuts }) => {
      const got = streamMask(build(secrets), chunk(input, cuts));
      assert.deepEqual(got.toString('latin1'), referenceMask(input, secrets).toString('latin1'));
    }),
    { numRuns: 300 },
  );
});

test('no secret and no variant survives, however the output was chunked', () => {
  fc.assert(
    fc.property(caseArb, ({ secrets, input, cuts }) => {
      const got = streamMask(build(secrets), chunk(input, cuts));
      for (const [, value] of secrets) {
        if ([...value.trim()].length < 6) continue; // refused as too short, by design
        for (const needle of secretVariants(value, 6)) {
          assert.ok(!got.includes(needle), `${JSON.stringify(needle.toString())} survived in ${JSON.stringify(got.toString())}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('streaming output equals maskText for any chunking', () => {
  fc.assert(
    fc.property(caseArb, ({ secrets, input, cuts }) => {
      const m = build(secrets);
      assert.equal(streamMask(m, chunk(input, cuts)).toString('utf8'), m.maskText(input.toString('utf8')));
    }),
    { numRuns: 200 },
  );
});

test('a text with no secret in it comes out unchanged and nothing stays held after a newline', () => {
  fc.assert(
    fc.property(fc.array(secretArb, { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 200 }), (values, text) => {
      const clean = text.replace(/\n/g, ' ');
      fc.pre(values.every((v) => !clean.includes(v.trim())));
      const m = build(values.map((v, i) => [`S${i}_TOKEN`, v]));
      fc.pre(m.maskText(clean) === clean); // rules out a variant hiding in the random text
      const s = m.stream();
      const line = Buffer.from(`${clean}\n`);
      const out = Buffer.from(s.write(line));
      // A newline is in no single-line needle: only a multi-line secret may still hold bytes.
      if (values.every((v) => !/[\r\n]/.test(v))) {
        assert.equal(s.pending, 0);
        assert.deepEqual(out, line);
      }
    }),
    { numRuns: 200 },
  );
});

test('any minLength (short grams, stride 1): output equals the reference for any chunking', () => {
  const shortSecret = fc.string({ unit: fc.constantFrom(...'abcab01+/=\n é'), minLength: 1, maxLength: 10 });
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.array(shortSecret, { minLength: 1, maxLength: 4 }),
      fc.string({ unit: fc.constantFrom(...'abcab01+/=\n é'), maxLength: 120 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (minLength, values, text, cuts) => {
        const secrets = values.map((v, i): [string, string] => [`S${i}_TOKEN`, v]);
        const m = new SecretMasker({ minLength });
        for (const [name, value] of secrets) m.add(name, value);
        const input = Buffer.from(text);
        const got = streamMask(m, chunk(input, cuts));
        assert.equal(got.toString('latin1'), referenceMask(input, secrets, minLength).toString('latin1'));
      },
    ),
    { numRuns: 300 },
  );
});
