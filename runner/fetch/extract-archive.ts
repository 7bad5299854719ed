import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { AppError, coerceError } from '../../core/errors.ts';
import { ExtractionTree } from './extraction-tree.ts';
import type { FetchLimits } from './fetch-options.ts';
import { tooLarge } from './member-path.ts';

export interface ExtractOptions {
  readonly limits: FetchLimits;
  /** Aborting tears the whole pipeline down (cancellation, idle timeout). */
  readonly signal: AbortSignal;
  /** Called for every chunk received, before it is parsed; used to reset the idle timer. */
  readonly onChunk: (bytes: number, members: number) => void;
  /** Names the source in messages about it, already redacted. */
  readonly label: string;
  /** Leading segments symlinks may not climb out of (1 when the top directory will be stripped). */
  readonly symlinkFloor: (tree: ExtractionTree) => number;
}

export interface ExtractOutcome {
  readonly sha256: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly tree: ExtractionTree;
}

/**
 * Streams one archive from `source` into `root` (an empty directory the caller owns and removes
 * on failure): hashing and counting the bytes as they arrive, gunzipping when the first bytes
 * are gzip's magic, parsing with tar-stream and handing each member to the ExtractionTree. At no
 * point is more than a few chunks of the archive in memory.
 */
export async function extractArchive(source: Readable, root: string, options: ExtractOptions): Promise<ExtractOutcome> {
  // Everything stops on `stop`: the caller's signal (cancel, idle timeout) or our own failure.
  const stop = new AbortController();
  const forward = (): void => stop.abort(options.signal.reason);
  if (options.signal.aborted) forward();
  else options.signal.addEventListener('abort', forward, { once: true });
  try {
    return await extractUntil(stop, source, root, options);
  } finally {
    options.signal.removeEventListener('abort', forward);
  }
}

async function extractUntil(
  stop: AbortController,
  source: Readable,
  root: string,
  options: ExtractOptions,
): Promise<ExtractOutcome> {
  const { limits, label } = options;
  const hash = createHash('sha256');
  const tree = new ExtractionTree(root, limits);
  let bytes = 0;
  let totalBytes = 0;
  // Reads of the source race `stop`, because a stalled source may never settle even once
  // destroyed (a web stream whose cancel waits on a pull that never returns; seen on Node 24),
  // and teardown must not wait on it.
  const stopped = new Promise<never>((_, reject) => {
    const fail = (): void => reject(stop.signal.reason as Error);
    if (stop.signal.aborted) fail();
    else stop.signal.addEventListener('abort', fail, { once: true });
  });
  stopped.catch(() => undefined);

  // Errors of the source itself (a reset halfway, a failing disk under file://) are worth a retry.
  async function* received(): AsyncGenerator<Buffer> {
    const it = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([it.next(), stopped]);
        if (next.done) return;
        const chunk = next.value;
        bytes += chunk.length;
        if (bytes > limits.maxArchiveBytes) throw tooLarge(`maxArchiveBytes ${limits.maxArchiveBytes}`, bytes);
        hash.update(chunk);
        options.onChunk(bytes, tree.members);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof AppError || stop.signal.aborted) throw err;
      throw new AppError('unavailable', `reading ${label} failed: ${coerceError(err).message}`, undefined, { cause: err });
    } finally {
      source.destroy();
      it.return?.().catch(() => undefined); // not awaited, for the reason above
    }
  }

  const input = received();
  const head = await readHead(input, 2);
  if (head.length === 0) throw new AppError('invalid_input', `${label} is empty, not an archive`);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const raw = Readable.from(prepend(head, input), { objectMode: false });
  const tarBytes = new Transform({
    transform(chunk: Buffer, _enc, done) {
      totalBytes += chunk.length;
      if (totalBytes > limits.maxTotalBytes) done(tooLarge(`maxTotalBytes ${limits.maxTotalBytes}`, totalBytes));
      else done(null, chunk);
    },
  });
  const extract = tar.extract();
  const stages = gzipped ? [raw, createGunzip({ chunkSize: 64 * 1024 }), tarBytes, extract] : [raw, tarBytes, extract];
  const feeding = pipeline(stages, { signal: stop.signal }).then(
    () => undefined,
    (err: unknown) => err,
  );

  let consumeError: unknown;
  try {
    for await (const entry of extract) {
      // tar-stream's entry is a streamx Readable: async-iterable and resumable, as add() needs.
      await tree.add(entry.header, entry as unknown as AsyncIterable<Buffer> & { resume(): unknown });
    }
  } catch (err) {
    consumeError = err;
    stop.abort(err);
  }
  const failure = pickFailure(consumeError, await feeding, label);
  if (failure) throw failure;
  await tree.finish(options.symlinkFloor(tree));
  return { sha256: hash.digest('hex'), bytes, totalBytes, tree };
}

/** The error that explains the failure: ours (a refusal, a limit) over the teardown it caused. */
function pickFailure(consume: unknown, feed: unknown, label: string): unknown {
  const errors = [consume, feed].filter((e) => e !== undefined).map(coerceError);
  const codeOf = (e: Error): string => String((e as { code?: unknown }).code ?? '');
  const found =
    errors.find((e) => e instanceof AppError) ??
    errors.find((e) => e.name === 'AbortError') ??
    errors.find((e) => codeOf(e) !== 'ERR_STREAM_PREMATURE_CLOSE') ??
    errors[0];
  if (found === undefined || found instanceof AppError || found.name === 'AbortError') return found;
  const code = codeOf(found);
  if (code.startsWith('Z_')) {
    return new AppError('invalid_input', `${label} is not valid gzip: ${found.message}`, undefined, { cause: found });
  }
  // tar-stream's parse errors carry no code; system errors (ENOSPC, EACCES) do and stay internal.
  if (code === '') {
    return new AppError('invalid_input', `${label} is not a valid tar archive: ${found.message}`, undefined, { cause: found });
  }
  return found;
}

async function readHead(input: AsyncGenerator<Buffer>, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const next = await input.next();
    if (next.done) break;
    parts.push(next.value);
    len += next.value.length;
  }
  return Buffer.concat(parts);
}

async function* prepend(head: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return(undefined);
  }
}
