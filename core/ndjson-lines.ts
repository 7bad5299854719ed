import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of an NDJSON byte stream, split on "\n" only. Not node:readline: on newer Node it
 * also breaks lines at U+2028 and U+2029, which JSON.stringify leaves unescaped inside strings,
 * so a record whose text holds one would be cut in two.
 */
export async function* ndjsonLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      yield pending.slice(start, nl);
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}
