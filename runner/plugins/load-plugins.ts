/**
 * Finds and imports plugin modules from a directory: each `*.ts`, `*.mjs` or `*.js` file in it,
 * and each sub-directory with an `index` of those. TypeScript plugins load through tsx, so they
 * need no build step, like `.ts` job scripts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TsxApi from 'tsx/esm/api';
import { AppError, coerceError, invalidInput } from '../../core/errors.ts';
import { hookNames, type LoadedPlugin, type Plugin } from './plugin.ts';
import { importModule } from '../import-module.ts';

const moduleExtensions = ['.ts', '.mjs', '.js'];

/** `onImport` is told before the first module is imported (a run holds the process open then). */
export async function loadPluginDir(dir: string, label: string, onImport?: () => void): Promise<LoadedPlugin[]> {
  // Most runs have no plugin directory: asked first, so the usual case throws nothing.
  if (!existsSync(dir)) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AppError('unavailable', `cannot read plugin directory ${dir}: ${coerceError(err).message}`);
  }
  const files: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.') || e.name.endsWith('.d.ts') || e.name.includes('.test.')) continue;
    const path = join(dir, e.name);
    if (e.isFile() && moduleExtensions.some((x) => e.name.endsWith(x))) files.push(path);
    else if (e.isDirectory()) {
      for (const x of moduleExtensions) {
        const index = join(path, `index${x}`);
        if (isFile(index)) {
          files.push(index);
          break;
        }
      }
    }
  }
  const loaded: LoadedPlugin[] = [];
  if (files.length > 0) onImport?.();
  for (const file of files) loaded.push({ plugin: validate(await loadModule(file), file), origin: `${label} ${file}` });
  return loaded;
}

let hooksInstalled = false;

async function loadModule(file: string): Promise<unknown> {
  if (!hooksInstalled) {
    // Lets a plugin `import { mask } from 'reactorcide/job'` wherever it lives; paid only when
    // there are plugins to load.
    const { resolveHookImport } = await import('../script/node-launch.ts');
    await importModule(resolveHookImport());
    hooksInstalled = true;
  }
  try {
    if (file.endsWith('.ts')) {
      const { tsImport } = (await importModule('tsx/esm/api')) as typeof TsxApi;
      return await tsImport(pathToFileURL(file).href, import.meta.url);
    }
    return await importModule(pathToFileURL(file).href);
  } catch (err) {
    throw invalidInput(`plugin ${file} failed to load: ${coerceError(err).message}`);
  }
}

function validate(mod: unknown, file: string): Plugin {
  let candidate = (mod as { default?: unknown } | null)?.default;
  // A CommonJS-format module (a .ts file outside a "type": "module" package) arrives wrapped once more.
  const inner = (candidate as { default?: unknown; name?: unknown } | null)?.default;
  if (inner !== undefined && (candidate as { name?: unknown }).name === undefined) candidate = inner;
  if (typeof candidate !== 'object' || candidate === null) {
    throw invalidInput(`plugin ${file} has no default export object (export default { name, … })`);
  }
  const p = candidate as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.@/-]*$/.test(p.name)) {
    throw invalidInput(`plugin ${file} must export a "name" of letters, digits and _ . @ / -`);
  }
  for (const field of ['before', 'after'] as const) {
    const v = p[field];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw invalidInput(`plugin ${p.name} (${file}): "${field}" must be a list of plugin names`);
    }
  }
  for (const hook of hookNames) {
    if (p[hook] !== undefined && typeof p[hook] !== 'function') {
      throw invalidInput(`plugin ${p.name} (${file}): "${hook}" must be a function`);
    }
  }
  const known = new Set<string>(['name', 'before', 'after', 'default', ...hookNames]);
  const unknown = Object.keys(p).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw invalidInput(`plugin ${p.name} (${file}) exports unknown field(s) ${unknown.join(', ')}; hooks are ${hookNames.join(', ')}`);
  }
  return p as unknown as Plugin;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
