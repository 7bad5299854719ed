import { Readable } from 'node:stream';
import type { ReactorcideClient, UploadedBlob } from '../../client/index.ts';
import { packDirectory, type PackOptions } from './pack-directory.ts';

/**
 * Packs a local directory and streams it to `PUT /v1/blobs` through the typed client: what
 * `reactorcide submit` uses to send the code a job acts on. The result's `url` and `sha256` go
 * into the job spec as a tarball source. Failures are the client's ClientErrors.
 */
export async function uploadDirectory(client: Pick<ReactorcideClient, 'uploadBlob'>, dir: string, pack: PackOptions = {}, signal?: AbortSignal): Promise<UploadedBlob> {
  const body = Readable.toWeb(packDirectory(dir, pack)) as ReadableStream<Uint8Array>;
  return client.uploadBlob(body, signal === undefined ? {} : { signal });
}

/** The job spec source for an uploaded blob. */
export const tarballSource = (blob: UploadedBlob) => ({ kind: 'tarball' as const, url: blob.url, sha256: blob.sha256 });
