/**
 * Where the source and the job code come from: a local directory is used in place; an archive
 * URL (https, http when allowed, file, s3) is fetched and extracted safely into the run's work
 * directory by fetch/, verified against its sha256 when one is given.
 */
import { realpathSync, statSync } from 'node:fs';
import { AppError } from '../core/errors.ts';
import { isUrl, type FetchSettings } from './config.ts';
import type { FetchProgress, OpenS3 } from './fetch/index.ts';

export interface ObtainOptions {
  readonly what: 'source' | 'job code';
  readonly sha256: string | undefined;
  readonly settings: FetchSettings;
  readonly signal: AbortSignal;
  readonly say: (message: string) => void;
  /** Builds the s3:// opener; given by the runner's entry point, which may import adapters. */
  readonly openS3?: (settings: FetchSettings) => Promise<OpenS3>;
}

/** Returns the directory holding the code: the local one itself, or `dest` filled from the archive. */
export async function obtainCode(location: string, dest: string, options: ObtainOptions): Promise<string> {
  if (!isUrl(location)) return localDirectory(location, options.what);
  // Loaded only for archives: tar and gzip handling is a cost a local run need not pay.
  const { fetchArchive, redactUrl } = await import('./fetch/index.ts');
  const s = options.settings;
  const shown = redactUrl(location);
  options.say(`fetching ${options.what} from ${shown}`);
  let lastReport = Date.now();
  const result = await fetchArchive(location, dest, {
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
    stripTopLevel: s.stripTopLevel,
    allowHttp: s.allowHttp,
    limits: { ...(s.maxFiles ? { maxFiles: s.maxFiles } : {}), ...(s.maxBytes ? { maxTotalBytes: s.maxBytes } : {}) },
    ...(location.startsWith('s3://') && options.openS3 ? { openS3: await options.openS3(s) } : {}),
    signal: options.signal,
    onProgress: (p: FetchProgress) => {
      // Progress on long fetches, without flooding the log.
      if (Date.now() - lastReport < 2000) return;
      lastReport = Date.now();
      options.say(`… ${(p.bytes / 1048576).toFixed(1)} MiB, ${p.files} files${p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}`);
    },
  });
  options.say(`${options.what}: ${result.files} files, ${(result.bytes / 1048576).toFixed(2)} MiB, sha256 ${result.sha256}`);
  return realpathSync(dest);
}

/** Synchronous: two metadata calls on every job's start-up path, cheaper than the thread pool trip. */
function localDirectory(location: string, what: string): string {
  let info;
  try {
    info = statSync(location);
  } catch (err) {
    throw new AppError('not_found', `${what} directory ${location} does not exist (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isDirectory()) throw new AppError('invalid_input', `${what} ${location} is not a directory`);
  return realpathSync(location);
}
