// Loads a CommonJS bundle through V8 with a code cache kept between runs: the functions a run
// compiled are saved after it, so the next start skips parsing and compiling them. On Node 20
// (no module compile cache) this is the difference between 60 and 45 ms for `reactorcide run`.
//
// The cache is an optimisation only: it lives in a private directory under the temp dir, keyed
// by Node version, architecture and the bundle's content hash (the build writes it in the first
// line: V8 itself checks little more than the source length), written atomically, and ignored
// when missing, unreadable, not ours or rejected by V8.
'use strict';
const fs = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

function cacheDir() {
  return join(tmpdir(), `reactorcide-code-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

// Code from a cache file runs as this process: only a directory of our own, writable by no one
// else, is trusted.
function trusted(dir) {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) return false;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  return (st.mode & 0o022) === 0;
}

function readCache(file) {
  try {
    return trusted(dirname(file)) ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function readShipped(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file, data) {
  try {
    fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (!trusted(dirname(file))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A read-only or full disk costs the next run its speed, never its result.
  }
}

/** Runs `file` as a CommonJS module; `saveCodeCache()` after the work stores what was compiled. */
function loadWithCodeCache(file) {
  const source = fs.readFileSync(file, 'utf8');
  const hash = /^\/\/ bundle-hash: ([0-9a-f]+)\n/.exec(source)?.[1];
  const key = hash === undefined ? undefined : `${process.version}-${process.arch}-${hash}`;
  const cacheFile = key === undefined ? undefined : join(cacheDir(), key);
  let cachedData = cacheFile === undefined ? undefined : readCache(cacheFile);
  // A cache the build made ships next to the bundle, for the runs that never see a warm temp dir
  // (each Kubernetes job's pod starts with an empty one); it is as trusted as the bundle itself.
  if (cachedData === undefined && key !== undefined) cachedData = readShipped(join(dirname(file), 'code-cache', key));
  // The module wrapper on the first line, so line numbers stay the bundle's own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __importModule) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const module = { exports: {} };
  // Code from a cache cannot call import() itself; the bundle's imports come here instead.
  const importModule = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), importModule);
  return {
    exports: module.exports,
    saveCodeCache() {
      if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
        writeCache(cacheFile, script.createCachedData());
      }
    },
  };
}

module.exports = { loadWithCodeCache };
