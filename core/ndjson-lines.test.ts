import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ndjsonLines } from './ndjson-lines.ts';

async function lines(chunks: Array<Uint8Array | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of ndjsonLines((async function* () { yield* chunks; })())) out.push(line);
  return out;
}

test('lines split on "\\n" only: U+2028 inside a record stays in it', async () => {
  const record = JSON.stringify({ text: 'a\u2028b\u2029c' });
  assert.deepEqual(await lines([`${record}\n{"x":1}\n`]), [record, '{"x":1}']);
});

test('a character split between chunks, and a last line with no newline, come out whole', async () => {
  const bytes = new TextEncoder().encode('é€😀\nlast');
  const chunks = Array.from(bytes, (b) => Uint8Array.of(b)); // one byte at a time
  assert.deepEqual(await lines(chunks), ['é€😀', 'last']);
});
