import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Automaton, type Needle } from './automaton.ts';

const bytesArb = (min: number, max: number): fc.Arbitrary<Uint8Array> =>
  fc.array(fc.constantFrom(0x61, 0x62, 0x63, 0x0a, 0xc3, 0xa9), { minLength: min, maxLength: max }).map((a) => Uint8Array.from(a));

function naiveLongestEnding(text: Uint8Array, needles: readonly Needle[], end: number): number {
  let best = 0;
  for (const { bytes } of needles) {
    if (bytes.length > end || bytes.length <= best) continue;
    if (bytes.every((b, i) => text[end - bytes.length + i] === b)) best = bytes.length;
  }
  return best;
}

test('the scan reports, at every position, the longest needle ending there, and the right depth', () => {
  fc.assert(
    fc.property(fc.uniqueArray(bytesArb(1, 6), { minLength: 1, maxLength: 12, selector: (b) => b.join() }), bytesArb(0, 80), (list, text) => {
      const needles = list.map((bytes, name) => ({ bytes, name }));
      const a = new Automaton(needles);
      const hits: number[] = [];
      const state = a.scan(text, 0, text.length, 0, hits);
      const got = new Map<number, number>();
      for (let i = 0; i < hits.length; i += 2) got.set(hits[i]!, a.matchLength[hits[i + 1]!]!);
      for (let end = 1; end <= text.length; end++) assert.equal(got.get(end) ?? 0, naiveLongestEnding(text, needles, end), `end ${end}`);
      // The final depth is the longest suffix of the text that is a prefix of some needle.
      let depth = 0;
      for (let k = 1; k <= text.length; k++) {
        if (needles.some(({ bytes }) => bytes.length >= k && bytes.subarray(0, k).every((b, i) => b === text[text.length - k + i]))) depth = k;
      }
      assert.equal(a.depth[state], depth);
    }),
    { numRuns: 300 },
  );
});

test('sparse states (a dense budget far smaller than the trie) give the same transitions', () => {
  // 12000 distinct base64 needles of 16 characters: far more states than the dense rows hold.
  const needles: Needle[] = Array.from({ length: 12000 }, (_, i) => ({
    bytes: Buffer.from(createHash('sha256').update(String(i)).digest('base64').slice(0, 16)),
    name: i,
  }));
  const a = new Automaton(needles);
  assert.ok(a.states > a.dense, `${a.states} states, ${a.dense} dense`);
  const text = Buffer.from(needles.filter((_, i) => i % 97 === 0).map((n) => `!${n.bytes.toString()}!`).join(' '));
  const hits: number[] = [];
  a.scan(text, 0, text.length, 0, hits);
  const names = new Set<number>();
  for (let i = 0; i < hits.length; i += 2) names.add(a.matchName[hits[i + 1]!]!);
  assert.deepEqual([...names].sort((x, y) => x - y), needles.filter((_, i) => i % 97 === 0).map((n) => n.name));
});
