/**
 * How a JavaScript or TypeScript job starts: `node` (the runner's own binary) with tsx for
 * `.ts` (so a `.ts` job runs on Node 20 with no build step) and a resolve hook that points
 * `reactorcide/job` at this runner's own job library — so a job script can import it without
 * installing anything, and always talks to the runner version that runs it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * This runner's own job library: its TypeScript source when the runner runs from source (its
 * tests do), else the package's `reactorcide/job` export — the ES module build for import and
 * the CommonJS build for require — found through the package itself, wherever this code was
 * bundled to.
 */
function jobLibrary(): { esm: string; cjs: string } {
  if (import.meta.url.endsWith('.ts')) {
    const ts = new URL('../job/index.ts', import.meta.url);
    return { esm: ts.href, cjs: ts.pathname };
  }
  const require = createRequire(import.meta.url);
  return { esm: resolveForImport('reactorcide/job', require), cjs: require.resolve('reactorcide/job') };
}

/**
 * How `import` would resolve one of this package's own exports. The runner is also bundled as
 * CommonJS (for its start-up), where import.meta.resolve does not exist (the build defines it
 * away): there the package's exports map is read for its import condition.
 */
function resolveForImport(specifier: 'reactorcide/job', require: NodeJS.Require): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve(specifier);
  const packageJson = require.resolve('reactorcide/package.json');
  const { exports } = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: Record<string, Record<string, string>> };
  const entry = exports[`.${specifier.slice('reactorcide'.length)}`];
  const target = entry?.import ?? entry?.default;
  if (target === undefined) throw new Error(`the reactorcide package exports no import of ${specifier}`);
  return pathToFileURL(join(dirname(packageJson), target)).href;
}

function tsxImportUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * A module for `--import` that points `reactorcide/job` at this runner's library, for `import`
 * (handing the file URL on down the chain, so tsx still loads a .ts library in source mode)
 * and for `require` (a .ts job in a package without "type": "module" is CommonJS). For import,
 * Node ≥ 22.15 runs hooks in-thread (registerHooks, nearly free); Node 20 needs `register`,
 * which starts a hooks worker.
 */
export function resolveHookImport(): string {
  const lib = jobLibrary();
  const esm = { 'reactorcide/job': lib.esm };
  const cjs = { 'reactorcide/job': lib.cjs };
  const hook = `let t;export function initialize(d){t=d}export async function resolve(s,c,n){return n(t[s]??s,c)}`;
  const register = [
    `import * as m from 'node:module';`,
    `const e=${JSON.stringify(esm)},r=${JSON.stringify(cjs)};`,
    `const M=m.default,o=M._resolveFilename;`,
    `M._resolveFilename=function(s,...a){return r[s]??o.call(this,s,...a)};`,
    // registerHooks' resolve sees require() too (Node ≥ 22.15): that gets the CommonJS build.
    `if (typeof m.registerHooks === 'function') m.registerHooks({resolve(s,c,n){return n((c.conditions?.includes('require')?r:e)[s]??s,c)}});`,
    `else m.register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)},{data:e});`,
  ].join('');
  return `data:text/javascript,${encodeURIComponent(register)}`;
}

/** The node arguments that run `file` as a job script. */
export function nodeJobArgv(file: string): string[] {
  // The job library is TypeScript itself when the runner runs from source (its tests do).
  const needsTsx = file.endsWith('.ts') || jobLibrary().esm.endsWith('.ts');
  return [process.execPath, ...(needsTsx ? ['--import', tsxImportUrl()] : []), '--import', resolveHookImport(), file];
}
