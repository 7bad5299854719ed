import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile, mkdir, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync, createGzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';

export interface Member {
  readonly header: Partial<Header> & { name: string; pax?: Record<string, string> };
  readonly body?: string | Buffer;
}

/** A tar archive built with tar-stream, gzipped when asked. */
export async function makeTar(members: readonly Member[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  // Read while writing: pack holds back an entry's callback until its bytes are consumed.
  const collected = (async () => {
    for await (const c of pack) parts.push(c as Buffer);
  })();
  for (const m of members) {
    const type = m.header.type ?? 'file';
    const body = type === 'file' || type === 'contiguous-file' ? (m.body ?? '') : undefined;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body === undefined) pack.entry({ mode: 0o644, ...m.header, type } as Header, done);
      else pack.entry({ mode: 0o644, ...m.header, type } as Header, body, done);
    });
  }
  pack.finalize();
  await collected;
  const raw = Buffer.concat(parts);
  return options.gzip ? gzipSync(raw) : raw;
}

/** A gzipped tar holding one file of `size` zero bytes, compressed as it is generated. */
export async function makeZeroBomb(size: number): Promise<Buffer> {
  const pack = tar.pack();
  const gz = pack.pipe(createGzip({ level: 9 }));
  const parts: Buffer[] = [];
  const collected = (async () => {
    for await (const c of gz) parts.push(c as Buffer);
  })();
  const sink = pack.entry({ name: 'zeros.bin', size, mode: 0o644 });
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = size; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    if (!sink.write(piece)) await new Promise<void>((r) => sink.once('drain', () => r()));
  }
  sink.end(undefined);
  pack.finalize();
  await collected;
  return Buffer.concat(parts);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * base/work/ is where the fetch destination goes, base/sentinel/ sits beside it with one file:
 * every malicious archive aims at the sentinel, and the test checks it is exactly as before.
 */
export interface Sandbox {
  readonly base: string;
  readonly work: string;
  readonly dest: string;
  readonly sentinel: string;
  /** Writes `data` to a file outside work/ and returns its file:// URL. */
  file(data: Buffer, name?: string): Promise<string>;
  /** Every path under base (relative), for before/after comparisons. */
  snapshot(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const base = await mkdtemp(join(tmpdir(), 'fetch-test-'));
  const work = join(base, 'work');
  const sentinel = join(base, 'sentinel');
  const archives = join(base, 'archives');
  await mkdir(work);
  await mkdir(sentinel);
  await mkdir(archives);
  await writeFile(join(sentinel, 'keep.txt'), 'untouched');
  let n = 0;
  return {
    base,
    work,
    dest: join(work, 'src'),
    sentinel,
    async file(data, name = `a${n++}.tar`) {
      const path = join(archives, name);
      await writeFile(path, data);
      return pathToFileURL(path).href;
    },
    async snapshot() {
      const out: string[] = [];
      const walk = async (dir: string, rel: string): Promise<void> => {
        for (const e of await readdir(dir)) {
          const p = rel ? `${rel}/${e}` : e;
          if (p === 'archives' || p.startsWith('archives/')) continue;
          const st = await lstat(join(dir, e));
          out.push(`${p}:${st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.size}`);
          if (st.isDirectory()) await walk(join(dir, e), p);
        }
      };
      await walk(base, '');
      return out.sort();
    },
    async cleanup() {
      await rm(base, { recursive: true, force: true });
    },
  };
}
