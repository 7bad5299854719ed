import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';

export interface PackOptions {
  /** Leave out a member (and, for a directory, all beneath it); paths are relative, `/`-separated. */
  readonly ignore?: (relativePath: string, isDirectory: boolean) => boolean;
}

/**
 * A directory as a .tar.gz stream, for `PUT /v1/blobs`. The same tree always gives the same
 * bytes (so the same digest): members in byte order of their names, times zeroed, owners 0,
 * modes reduced to 0755/0644 by the executable bit. Paths are relative to `dir`; symbolic links
 * are stored as links with their target unchanged (the runner's extractor decides whether a
 * target is safe). Sockets, FIFOs and devices are left out. File contents stream from disk:
 * memory does not grow with the tree.
 */
export function packDirectory(dir: string, options: PackOptions = {}): Readable {
  const pack = tar.pack();
  const gzip = createGzip();
  pack.on('error', (err) => gzip.destroy(err));
  pack.pipe(gzip);
  walk(pack, dir, '', options).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))),
  );
  return gzip;
}

const epoch = new Date(0);
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function walk(pack: tar.Pack, root: string, rel: string, options: PackOptions): Promise<void> {
  const names = (await readdir(join(root, rel))).sort(byBytes);
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const full = join(root, path);
    const st = await lstat(full);
    const common = { mtime: epoch, uid: 0, gid: 0, uname: '', gname: '' };
    if (st.isDirectory()) {
      if (options.ignore?.(path, true) === true) continue;
      await add(pack, { ...common, name: `${path}/`, type: 'directory', mode: 0o755 });
      await walk(pack, root, path, options);
    } else if (options.ignore?.(path, false) === true) {
      continue;
    } else if (st.isSymbolicLink()) {
      await add(pack, { ...common, name: path, type: 'symlink', linkname: await readlink(full), mode: 0o777 });
    } else if (st.isFile()) {
      const mode = (st.mode & 0o111) !== 0 ? 0o755 : 0o644;
      const entry = pack.entry({ ...common, name: path, type: 'file', mode, size: st.size });
      await pipeline(createReadStream(full), entry);
    }
  }
}

function add(pack: tar.Pack, header: Partial<Header> & Pick<Header, 'name'>): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}
