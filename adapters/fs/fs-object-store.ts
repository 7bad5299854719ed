import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createWriteStream, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, conflict, notFound } from '../../core/errors.ts';
import {
  validateObjectKey,
  validateObjectPrefix,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '../../core/ports/object-store.ts';

export interface FsObjectStoreConfig {
  /** The directory that holds everything; created on first write. */
  readonly root: string;
}

interface Sidecar {
  readonly size: number;
  readonly sha256: string;
  readonly contentType?: string;
}

/**
 * An ObjectStore in a local directory, the embedded default. Objects are plain files under
 * `objects/` (so an operator can look at them), their digest and content type sit in a JSON
 * sidecar under `meta/`, and every write lands in `tmp/` first and is renamed into place, so a
 * reader sees the old object or the new one and never half of one.
 *
 * Like any file tree (and unlike S3) it cannot hold both `a` and `a/b`; the second put is a
 * `conflict`. Sidecars are written just before the data, so a concurrent overwrite of one key
 * may briefly pair new metadata with old bytes; `head` ignores a sidecar whose size disagrees.
 */
export function createFsObjectStore(config: FsObjectStoreConfig): ObjectStore {
  const objectsDir = join(config.root, 'objects');
  const metaDir = join(config.root, 'meta');
  const tmpDir = join(config.root, 'tmp');
  const objectPath = (key: string): string => join(objectsDir, validateObjectKey(key));
  const metaPath = (key: string): string => join(metaDir, validateObjectKey(key));

  async function put(key: string, body: Readable | Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const dataFinal = objectPath(key);
    const metaFinal = metaPath(key);
    await mkdir(tmpDir, { recursive: true });
    const tmpName = join(tmpDir, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    try {
      await pipeline(source, meter, createWriteStream(tmpName, { flags: 'wx', mode: 0o644 }), { signal: options.signal });
      // Durable before visible: the log archiver deletes chunks once put() returns.
      const fh = await open(tmpName, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const sha256 = hash.digest('hex');
      const sidecar: Sidecar = { size, sha256, ...(options.contentType ? { contentType: options.contentType } : {}) };
      await writeFile(`${tmpName}.meta`, JSON.stringify(sidecar), { flag: 'wx' });
      await placeFile(`${tmpName}.meta`, metaFinal, key);
      await placeFile(tmpName, dataFinal, key);
      return { key, size, sha256 };
    } catch (err) {
      await rm(tmpName, { force: true });
      await rm(`${tmpName}.meta`, { force: true });
      throw err;
    }
  }

  async function get(key: string, range: ByteRange = {}): Promise<Readable> {
    const path = objectPath(key);
    const offset = range.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new AppError('invalid_input', 'range offset must be a non-negative integer');
    if (range.length !== undefined && (!Number.isSafeInteger(range.length) || range.length < 0)) {
      throw new AppError('invalid_input', 'range length must be a non-negative integer');
    }
    const fh = await open(path, 'r').catch((err: unknown) => {
      throw isCode(err, 'ENOTDIR') ? notFound(`no object ${key}`) : translateFsError(err, key);
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw notFound(`no object ${key}`);
    }
    const end = range.length === undefined ? st.size - 1 : Math.min(st.size, offset + range.length) - 1;
    if (end < offset) {
      await fh.close();
      return Readable.from([]);
    }
    return fh.createReadStream({ start: offset, end });
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    let st: Stats;
    try {
      st = await stat(objectPath(key));
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return undefined;
      throw translateFsError(err, key);
    }
    if (!st.isFile()) return undefined;
    return infoOf(key, st, await readSidecar(key));
  }

  async function readSidecar(key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await readFile(metaPath(key), 'utf8')) as Sidecar;
    } catch {
      return undefined;
    }
  }

  async function del(key: string): Promise<void> {
    for (const path of [objectPath(key), metaPath(key)]) {
      try {
        await unlink(path);
      } catch (err) {
        if (!isCode(err, 'ENOENT') && !isCode(err, 'ENOTDIR') && !isCode(err, 'EISDIR')) throw translateFsError(err, key);
      }
    }
  }

  async function* list(prefix: string): AsyncIterable<ObjectInfo> {
    validateObjectPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await walk(baseKey === '' ? objectsDir : join(objectsDir, baseKey), baseKey, prefix, keys);
    keys.sort();
    for (const key of keys) {
      const info = await head(key);
      if (info) yield info;
    }
  }

  return { put, get, head, delete: del, list };
}

function infoOf(key: string, st: Stats, sidecar: Sidecar | undefined): ObjectInfo {
  const trusted = sidecar && sidecar.size === st.size ? sidecar : undefined;
  return {
    key,
    size: st.size,
    lastModified: st.mtime,
    ...(trusted?.contentType ? { contentType: trusted.contentType } : {}),
    ...(trusted ? { sha256: trusted.sha256 } : {}),
  };
}

async function walk(dir: string, dirKey: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return;
    throw err;
  }
  for (const entry of entries) {
    const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
    if (entry.isDirectory()) {
      // Only descend where a key under this directory could still match the prefix.
      const asDir = `${key}/`;
      if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(join(dir, entry.name), key, prefix, out);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      out.push(key);
    }
  }
}

async function placeFile(from: string, to: string, key: string): Promise<void> {
  try {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  } catch (err) {
    throw translateFsError(err, key);
  }
}

function translateFsError(err: unknown, key: string): AppError {
  if (err instanceof AppError) return err;
  if (isCode(err, 'ENOENT')) return notFound(`no object ${key}`);
  if (isCode(err, 'ENOTDIR') || isCode(err, 'EEXIST') || isCode(err, 'EISDIR') || isCode(err, 'ENOTEMPTY')) {
    return conflict(`object key ${key} clashes with another key used as a directory`);
  }
  if (isCode(err, 'ENOSPC') || isCode(err, 'EIO') || isCode(err, 'EMFILE') || isCode(err, 'ENFILE')) {
    return new AppError('unavailable', `object store cannot write ${key}`, undefined, { cause: err });
  }
  return new AppError('internal', `object store failed on ${key}`, undefined, { cause: err });
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
