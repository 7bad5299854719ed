/**
 * `import()` of a module from outside the runner's own code: a plugin, tsx's API, a hook module
 * as a data: URL. One place, because the `reactorcide` bin runs the runner from a V8 code cache
 * (bin/reactorcide.js) where code cannot call import() itself; the build points this function at
 * an importer the bin hands in (scripts/build.mjs).
 */
export function importModule(specifier: string): Promise<unknown> {
  return import(specifier);
}
