import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError, conflict, invalidInput } from '../../core/errors.ts';
import { extractArchive } from './extract-archive.ts';
import {
  defaultLimits,
  defaultRetry,
  type FetchLimits,
  type FetchOptions,
  type FetchResult,
  type RetryPolicy,
} from './fetch-options.ts';
import { checkUrl, openArchive } from './open-archive.ts';
import { redactUrl } from './redact-url.ts';
import { withRetries } from './retry.ts';

const defaultIdleTimeoutMs = 30_000;

/**
 * Downloads the tar or tar.gz archive at `url` and extracts it safely into `destDir`, which must
 * not exist or be an empty directory. Each attempt extracts into a fresh temporary sibling of
 * `destDir` that is renamed into place only when the whole archive was extracted and its sha256
 * matched, so any failure (a refused member, a limit, a digest mismatch, a cancellation) leaves
 * nothing behind. Transient failures are retried from scratch with jittered exponential backoff.
 */
export async function fetchArchive(url: string, destDir: string, options: FetchOptions = {}): Promise<FetchResult> {
  const limits = resolveLimits(options.limits);
  const retry: RetryPolicy = { ...defaultRetry, ...options.retries };
  const expected = normalizeDigest(options.sha256);
  const parsed = checkUrl(url, {
    allowHttp: options.allowHttp ?? false,
    allowFile: options.allowFile ?? true,
    ...(options.openS3 ? { openS3: options.openS3 } : {}),
  });
  const label = redactUrl(parsed);
  const dest = resolve(destDir);
  await checkDestination(dest);
  await mkdir(dirname(dest), { recursive: true });
  const idleMs = options.idleTimeoutMs ?? defaultIdleTimeoutMs;

  return withRetries(
    retry,
    async (attempt) => {
      if (options.signal?.aborted) throw cancelled(label, options.signal.reason);
      const staging = await mkdtemp(join(dirname(dest), `.${basename(dest)}.fetch-`));
      try {
        const ctl = new AbortController();
        const idle = new AppError('unavailable', `no data from ${label} for ${idleMs} ms`, { timeout: true });
        const onCancel = (): void => ctl.abort(options.signal?.reason);
        options.signal?.addEventListener('abort', onCancel, { once: true });
        const timer = setTimeout(() => ctl.abort(idle), idleMs);
        let outcome;
        try {
          const source = await openArchive(parsed, {
            allowHttp: options.allowHttp ?? false,
            allowFile: options.allowFile ?? true,
            ...(options.openS3 ? { openS3: options.openS3 } : {}),
            signal: ctl.signal,
            maxBytes: limits.maxArchiveBytes,
          });
          outcome = await extractArchive(source, staging, {
            limits,
            label,
            signal: ctl.signal,
            onChunk: (bytes, files) => {
              timer.refresh();
              options.onProgress?.({ attempt, bytes, files });
            },
            symlinkFloor: () => (options.stripTopLevel ? 1 : 0),
          });
        } catch (err) {
          if (ctl.signal.aborted) throw ctl.signal.reason === idle ? idle : cancelled(label, err);
          throw err;
        } finally {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onCancel);
        }
        if (expected !== undefined && outcome.sha256 !== expected) {
          throw new AppError(
            'invalid_input',
            `sha256 mismatch for ${label}: expected ${expected}, got ${outcome.sha256}`,
            { expected, actual: outcome.sha256 },
          );
        }
        let from = staging;
        if (options.stripTopLevel) {
          const top = outcome.tree.singleTopLevelDirectory();
          if (top === undefined) {
            throw invalidInput(`${label} does not hold a single top-level directory to strip`);
          }
          from = join(staging, top);
        } else {
          await chmod(staging, 0o755);
        }
        await placeInto(from, dest);
        return {
          sha256: outcome.sha256,
          bytes: outcome.bytes,
          files: outcome.tree.members,
          totalBytes: outcome.totalBytes,
          attempts: attempt,
        };
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
    options.signal,
  ).catch((err: unknown) => {
    if (options.signal?.aborted && !(err instanceof AppError && err.details?.['cancelled'] === true)) {
      throw cancelled(label, err);
    }
    throw err;
  });
}

function cancelled(label: string, cause: unknown): AppError {
  return new AppError('unavailable', `fetching ${label} was cancelled`, { cancelled: true }, { cause });
}

function resolveLimits(partial: Partial<FetchLimits> | undefined): FetchLimits {
  const limits = { ...defaultLimits, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw invalidInput(`fetch limit ${name} must be a positive integer`, { limit: name });
  }
  return limits;
}

function normalizeDigest(digest: string | undefined): string | undefined {
  if (digest === undefined) return undefined;
  const hex = digest.replace(/^sha256:/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw invalidInput('sha256 must be 64 hex digits', { sha256: digest });
  return hex;
}

async function checkDestination(dest: string): Promise<void> {
  try {
    const st = await lstat(dest);
    if (st.isDirectory() && (await readdir(dest)).length === 0) return;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return;
    throw err;
  }
  throw conflict(`fetch destination ${dest} exists and is not an empty directory`);
}

async function placeInto(from: string, dest: string): Promise<void> {
  try {
    await rename(from, dest);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw conflict(`fetch destination ${dest} was filled by someone else meanwhile`);
    }
    throw err;
  }
}
