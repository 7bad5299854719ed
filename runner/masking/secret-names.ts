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
 * One test for all the globs: a single RegExp compiles once, where one per glob would cost the
 * runner's start-up a compilation each.
 */
export function secretNameMatcher(globs: readonly string[] = defaultSecretNameGlobs): (name: string) => boolean {
  if (globs.length === 0) return () => false;
  const combined = new RegExp(`^(?:${globs.map((g) => globToRegExp(g).source.slice(1, -1)).join('|')})$`, 'is');
  return (name) => combined.test(name);
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
