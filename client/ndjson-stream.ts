import { ndjsonLines } from '../core/ndjson-lines.ts';

/** The lines of a streamed NDJSON body (a fetch Response's), split on "\n" only. */
export async function* ndjsonStreamLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  try {
    yield* ndjsonLines(chunksOf(reader));
  } finally {
    // A consumer that stops early (break, an error) must not leave the connection open.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Not `for await` over the stream itself: not every runtime makes a ReadableStream iterable. */
async function* chunksOf(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
