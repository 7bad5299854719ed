/**
 * How a JavaScript or TypeScript job starts: `node` (the runner's own binary) with tsx for
 * `.ts` (so a `.ts` job runs on Node 20 with no build step) and a resolve hook that points
 * `reactorcide/job` at this runner's own job library — so a job script can import it without
 * installing anything, and always talks to the runner version that runs it.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The job library next to this file, in whichever form the runner itself runs (.ts or .js). */
function jobLibraryUrl(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../job/index${ext}`, import.meta.url).href;
}

function tsxImportUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * A module for `--import` that installs the resolve hook. Node ≥ 22.15 runs hooks in-thread
 * (registerHooks, nearly free); Node 20 needs `register`, which starts a hooks worker.
 */
export function resolveHookImport(): string {
  const targets = { 'reactorcide/job': jobLibraryUrl() };
  const hook = `let t;export function initialize(d){t=d}export async function resolve(s,c,n){return t[s]?{url:t[s],shortCircuit:true}:n(s,c)}`;
  const register = [
    `import * as m from 'node:module';`,
    `const t=${JSON.stringify(targets)};`,
    `if (typeof m.registerHooks === 'function') m.registerHooks({resolve(s,c,n){return t[s]?{url:t[s],shortCircuit:true}:n(s,c)}});`,
    `else m.register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)},{data:t});`,
  ].join('');
  return `data:text/javascript,${encodeURIComponent(register)}`;
}

/** The node arguments that run `file` as a job script. */
export function nodeJobArgv(file: string): string[] {
  // The job library is TypeScript itself when the runner runs from source (its tests do).
  const needsTsx = file.endsWith('.ts') || jobLibraryUrl().endsWith('.ts');
  return [process.execPath, ...(needsTsx ? ['--import', tsxImportUrl()] : []), '--import', resolveHookImport(), file];
}
