/**
 * Which environment variables hold secrets: those the system marks (REACTORCIDE_SECRET_NAMES)
 * and those whose names say so by convention. The env comes in; [name, value] pairs go out.
 */

export const defaultSecretNameGlobs: readonly string[] = Object.freeze([
  '*_TOKEN',
  '*_SECRET',
  '*_PASSWORD',
  '*_PASSPHRASE',
  '*_PRIVATE_KEY',
  '*_SSH_KEY',
  '*_ACCESS_KEY',
  '*_SECRET_KEY',
  '*_API_KEY',
  '*_CONNECTION_STRING',
]);

/** A case-insensitive, whole-name glob with `*` (any run) and `?` (any one character). */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

/**
 * A test of names against the globs, with the same meaning as globToRegExp's. Matched by hand:
 * compiling case-insensitive RegExps costs the runner's start-up about a millisecond, and this
 * runs on every job's start.
 */
export function secretNameMatcher(globs: readonly string[] = defaultSecretNameGlobs): (name: string) => boolean {
  const tests = globs.map((g) => globTest(fold(g)));
  return (name) => {
    const n = fold(name);
    return tests.some((test) => test(n));
  };
}

/** Case folding as a RegExp with the `i` flag and no `u` does it (ECMA-262 Canonicalize). */
function fold(text: string): string {
  // ASCII folds as toUpperCase folds it, in one native call; env var names nearly always are.
  if (isAscii(text)) return text.toUpperCase();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const upper = ch.toUpperCase();
    out += upper.length === 1 && !(upper.charCodeAt(0) < 128 && ch.charCodeAt(0) >= 128) ? upper : ch;
  }
  return out;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 128) return false;
  return true;
}

/**
 * A folded glob as a test of a folded name. `*` and a literal suffix (the shape of every default)
 * is one native endsWith: matching it by hand, a loop run in V8's interpreter, against each of a
 * job's variables cost every run over a million instructions.
 */
function globTest(glob: string): (name: string) => boolean {
  const suffix = glob.slice(1);
  if (glob.startsWith('*') && !suffix.includes('*') && !suffix.includes('?')) return (name) => name.endsWith(suffix);
  return (name) => globMatches(glob, name);
}

/** Whole-string glob match: `*` any run, `?` any one code unit; backtracks to the last `*`. */
function globMatches(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const c = glob[g];
    if (c === '*') {
      star = g++;
      resume = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      g++;
      n++;
    } else if (star !== -1) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/**
 * The env vars to treat as secret: those named explicitly plus those whose names match a glob,
 * each once, explicit ones first; only non-empty values.
 */
export function secretsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  explicitNames: readonly string[],
  globs: readonly string[] = defaultSecretNameGlobs,
): Array<[name: string, value: string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  const take = (name: string): void => {
    const value = env[name];
    if (seen.has(name) || value === undefined || value === '') return;
    seen.add(name);
    out.push([name, value]);
  };
  for (const name of explicitNames) take(name.trim());
  const looksSecret = secretNameMatcher(globs);
  for (const name of Object.keys(env)) {
    if (looksSecret(name)) take(name);
  }
  return out;
}
