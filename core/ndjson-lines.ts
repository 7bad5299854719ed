/**
 * The lines of an NDJSON byte stream, split on "\n" only. Not node:readline: on newer Node it
 * also breaks lines at U+2028 and U+2029, which JSON.stringify leaves unescaped inside strings,
 * so a record whose text holds one would be cut in two. Web APIs only, so the typed client
 * (which must run outside Node too) reads log streams with it as well.
 */
export async function* ndjsonLines(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      yield pending.slice(start, nl);
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') yield pending;
}
