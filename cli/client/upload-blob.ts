import { Readable } from 'node:stream';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import { packDirectory, type PackOptions } from './pack-directory.ts';

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:7007` */
  readonly apiUrl: string;
  readonly token: string;
  readonly signal?: AbortSignal;
}

export interface UploadedBlob {
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
}

const codes: readonly ErrorCode[] = ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'unavailable', 'internal'];

/** Streams `body` to `PUT /v1/blobs`; the API's error comes back as the same AppError code. */
export async function uploadBlob(options: ApiClientOptions, body: Readable): Promise<UploadedBlob> {
  const res = await fetch(new URL('/v1/blobs', options.apiUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/octet-stream' },
    body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
    // Node's fetch streams a request body only in half-duplex mode.
    duplex: 'half',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  } as RequestInit);
  const payload = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | UploadedBlob | null;
  if (!res.ok) {
    const err = payload !== null && 'error' in payload ? payload.error : undefined;
    const code = (codes as readonly string[]).includes(err?.code ?? '') ? (err?.code as ErrorCode) : 'internal';
    throw new AppError(code, `upload failed (${res.status}): ${err?.message ?? res.statusText}`);
  }
  return payload as UploadedBlob;
}

/**
 * Packs a local directory and uploads it: what `reactorcide run`/`submit` use to send the code
 * a job acts on. The result's `url` and `sha256` go into the job spec as a tarball source.
 */
export async function uploadDirectory(options: ApiClientOptions, dir: string, pack: PackOptions = {}): Promise<UploadedBlob> {
  return uploadBlob(options, packDirectory(dir, pack));
}

/** The job spec source for an uploaded blob. */
export const tarballSource = (blob: UploadedBlob) => ({ kind: 'tarball' as const, url: blob.url, sha256: blob.sha256 });
