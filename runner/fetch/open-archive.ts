import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { AppError, coerceError } from '../../core/errors.ts';
import { isInternalHost } from '../../core/internal-host.ts';
import type { OpenS3 } from './fetch-options.ts';
import { tooLarge } from './member-path.ts';
import { redactUrl } from './redact-url.ts';

export interface OpenOptions {
  readonly allowHttp: boolean;
  readonly allowFile: boolean;
  readonly openS3?: OpenS3;
  readonly signal: AbortSignal;
  /** A declared Content-Length above this is refused before any byte is read. */
  readonly maxBytes: number;
}

const maxRedirects = 5;

/** Checks a URL's scheme against the options before anything is opened. */
export function checkUrl(raw: string, options: Pick<OpenOptions, 'allowHttp' | 'allowFile' | 'openS3'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_input', `not a URL: ${redactUrl(raw)}`);
  }
  switch (url.protocol) {
    case 'https:':
      return url;
    case 'http:':
      if (!options.allowHttp) throw new AppError('invalid_input', `plain http is not allowed: ${redactUrl(url)}`);
      return url;
    case 'file:':
      if (!options.allowFile) throw new AppError('invalid_input', `file URLs are not allowed: ${redactUrl(url)}`);
      return url;
    case 's3:':
      if (!options.openS3) throw new AppError('invalid_input', `no S3 store is configured for ${redactUrl(url)}`);
      if (!url.hostname || url.pathname.length <= 1) throw new AppError('invalid_input', `s3 URL needs a bucket and a key: ${redactUrl(url)}`);
      return url;
    default:
      throw new AppError('invalid_input', `unsupported URL scheme ${url.protocol} in ${redactUrl(url)}`);
  }
}

/**
 * The archive's bytes as a stream, from whichever place the URL names. Failures are AppErrors,
 * `unavailable` exactly when trying again could help.
 */
export async function openArchive(url: URL, options: OpenOptions): Promise<Readable> {
  switch (url.protocol) {
    case 'file:':
      return openFile(url);
    case 's3:': {
      const key = decodeURIComponent(url.pathname.slice(1));
      try {
        return await options.openS3!(url.hostname, key, options.signal);
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('unavailable', `cannot open ${redactUrl(url)}: ${coerceError(err).message}`, undefined, { cause: err });
      }
    }
    default:
      return openHttp(url, options);
  }
}

async function openFile(url: URL): Promise<Readable> {
  const path = fileURLToPath(url);
  try {
    const fh = await open(path, 'r');
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      throw new AppError('invalid_input', `${redactUrl(url)} is not a regular file`);
    }
    return fh.createReadStream({ highWaterMark: 256 * 1024 });
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AppError('not_found', `no such file: ${redactUrl(url)}`);
    if (code === 'EACCES' || code === 'EPERM') throw new AppError('forbidden', `cannot read ${redactUrl(url)}`);
    throw new AppError('unavailable', `cannot open ${redactUrl(url)}: ${coerceError(err).message}`, undefined, { cause: err });
  }
}

/**
 * Redirects are followed by hand so each hop's scheme is checked: an https URL must not be able
 * to bounce the runner to plain http (or anywhere else the options forbid).
 */
async function openHttp(url: URL, options: OpenOptions): Promise<Readable> {
  let current = url;
  for (let hop = 0; ; hop++) {
    // identity: the digest is of the archive as stored, so nothing may decode it on the way.
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    const target = new URL(current);
    if (target.username || target.password) {
      // fetch() refuses URLs with credentials; they become a Basic header instead.
      const user = decodeURIComponent(target.username);
      const pass = decodeURIComponent(target.password);
      headers['authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    let res: Response;
    try {
      res = await fetch(target, { headers, redirect: 'manual', signal: options.signal });
    } catch (err) {
      throw new AppError('unavailable', `cannot reach ${redactUrl(current)}: ${describeNetworkError(err)}`, undefined, { cause: err });
    }
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel();
      if (hop >= maxRedirects) throw new AppError('invalid_input', `too many redirects from ${redactUrl(url)}`);
      const next = new URL(res.headers.get('location')!, current);
      if (next.protocol !== 'https:' && !(next.protocol === 'http:' && options.allowHttp)) {
        throw new AppError('invalid_input', `${redactUrl(current)} redirects to a refused URL ${redactUrl(next)}`);
      }
      // A host out on the internet may not bounce the runner into the network it runs in (SSRF:
      // a metadata service, localhost, a cluster-internal name). A source that is itself internal
      // was chosen by whoever submitted it, and may redirect within.
      if (isInternalHost(next.hostname) && !isInternalHost(url.hostname)) {
        throw new AppError('invalid_input', `${redactUrl(current)} redirects into the runner's own network (${next.hostname}); refused`);
      }
      // Credentials are for the host they were given for, not for wherever it redirects.
      if (next.origin !== current.origin) {
        next.username = '';
        next.password = '';
      } else if (current.username || current.password) {
        next.username = current.username;
        next.password = current.password;
      }
      current = next;
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw httpError(res.status, current);
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBytes) {
      await res.body.cancel();
      throw tooLarge(`maxArchiveBytes ${options.maxBytes}`, declared);
    }
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>, {
      highWaterMark: 256 * 1024,
    });
  }
}

function httpError(status: number, url: URL): AppError {
  const where = `HTTP ${status} from ${redactUrl(url)}`;
  if (status >= 500 || status === 429 || status === 408) return new AppError('unavailable', where, { status });
  if (status === 404 || status === 410) return new AppError('not_found', where, { status });
  if (status === 401) return new AppError('unauthorized', where, { status });
  if (status === 403) return new AppError('forbidden', where, { status });
  return new AppError('invalid_input', where, { status });
}

function describeNetworkError(err: unknown): string {
  const e = coerceError(err);
  const cause = (e as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${e.message} (${code})` : e.message;
}
