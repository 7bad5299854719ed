import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * An `ignore` option for packDirectory that leaves out what git would: the rules of every
 * `.gitignore` from the root down to the path's own directory (a deeper file's rules, and its
 * `!negations`, win over a shallower one's), and `.git/` itself. `.git/info/exclude` and the
 * user's global excludes are not read: the archive is what the project itself declares.
 */
export function gitignoreFilter(root: string): (relativePath: string, isDirectory: boolean) => boolean {
  const rules = new Map<string, Ignore | null>();
  const rulesOf = (dir: string): Ignore | null => {
    let r = rules.get(dir);
    if (r === undefined) {
      try {
        r = ignore().add(readFileSync(join(root, dir, '.gitignore'), 'utf8'));
      } catch {
        r = null;
      }
      rules.set(dir, r);
    }
    return r;
  };
  return (path, isDirectory) => {
    const parts = path.split('/');
    if (parts.at(-1) === '.git') return true;
    let ignored = false;
    // Directories are tested with a trailing slash so `build/` matches them and not a file.
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const r = rulesOf(dir);
      if (r === null) continue;
      const rel = parts.slice(depth).join('/') + (isDirectory ? '/' : '');
      const t = r.test(rel);
      if (t.ignored) ignored = true;
      else if (t.unignored) ignored = false;
    }
    return ignored;
  };
}
