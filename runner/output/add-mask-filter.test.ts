import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AddMaskFilter } from './add-mask-filter.ts';

/** The rule, written plainly over whole text: command lines out, their values registered. */
function reference(text: string): { out: string; values: string[] } {
  const values: string[] = [];
  const lines = text.split(/(?<=\n)/);
  const out = lines
    .filter((line) => {
      if (!line.startsWith('::add-mask::')) return true;
      const v = line.slice('::add-mask::'.length).replace(/\r?\n$/, '');
      if (v !== '') values.push(v);
      return false;
    })
    .join('');
  return { out, values };
}

function run(chunks: readonly Buffer[]): { out: string; values: string[]; pieces: number } {
  const values: string[] = [];
  const filter = new AddMaskFilter((v) => values.push(v));
  const parts = [...chunks.flatMap((c) => filter.write(c)), ...filter.end()];
  return { out: Buffer.concat(parts).toString('utf8'), values, pieces: parts.length };
}

test('command lines disappear and register their value, whatever the split', () => {
  const text = 'before\n::add-mask::s3cr3t-value\nafter ::add-mask::not-a-command\n::add-mask::crlf-value\r\n::add\n::add-mask::\nend';
  const want = reference(text);
  const bytes = Buffer.from(text);
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b += 3) {
      const got = run([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
      assert.deepEqual({ out: got.out, values: got.values }, want, `split at ${a}, ${b}`);
    }
  }
  assert.deepEqual(want.values, ['s3cr3t-value', 'crlf-value']);
});

test('any text, any chunking: the filter agrees with the plain rule', () => {
  const piece = fc.constantFrom('::add-mask::', '::add', '\n', '\r\n', 'x', 'secret-1', ':', 'é');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
      const bytes = Buffer.from(pieces.join(''));
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
      const chunks = [0, ...at, bytes.length].slice(1).map((end, k, all) => bytes.subarray(k === 0 ? 0 : (all[k - 1] as number), end));
      chunks.unshift(bytes.subarray(0, 0));
      const got = run(chunks);
      const want = reference(bytes.toString('utf8'));
      assert.deepEqual({ out: got.out, values: got.values }, want);
    }),
    { numRuns: 2000 },
  );
});

test('ordinary output passes as one piece per chunk, with nothing held', () => {
  const values: string[] = [];
  const filter = new AddMaskFilter((v) => values.push(v));
  const chunk = Buffer.from('line one\nline two\nline three\n'.repeat(1000));
  const out = filter.write(chunk);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.length, chunk.length);
  assert.deepEqual(filter.end(), []);
});

test('only the start of a line that may be a command is held back', () => {
  const filter = new AddMaskFilter(() => {});
  assert.equal(Buffer.concat(filter.write(Buffer.from('progress 50%\n::ad'))).toString(), 'progress 50%\n');
  assert.equal(Buffer.concat(filter.write(Buffer.from('vice\n'))).toString(), '::advice\n');
  assert.equal(Buffer.concat(filter.write(Buffer.from('no newline yet'))).toString(), 'no newline yet');
});
