import type { ChildProcess } from 'node:child_process';

/**
 * The URL a `reactorcide serve` child process says it listens on (its stderr line "API on …"),
 * for tests and benchmarks that start serve as a process. Rejects with what it printed if it
 * exits first. The child's stderr must be piped; it is read on (and kept) after the line.
 */
export function serveUrl(child: ChildProcess): { readonly url: Promise<string>; readonly stderr: () => string } {
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /API on (http:\/\/\S+?)[ ,]/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
  return { url, stderr: () => err };
}
