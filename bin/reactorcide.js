#!/usr/bin/env node
// The `reactorcide` command. `npm ci` builds dist/ through the prepare script.
//
// CommonJS on purpose (bin/package.json): the runner starts every job, so its start-up is on
// every job's clock, and a CommonJS entry spares Node 20 the ES module loader's start-up. A
// `run` goes to the fast path, bundled as one CommonJS file and loaded with a V8 code cache;
// when that path declines (help, a usage error), and for every other command, the full command
// line (commander, ES modules) takes over.
//
// The loader lives here too, so each run resolves and compiles one file rather than two.
'use strict';
const fs = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

// --- The loader.
// Loads a CommonJS bundle through V8 with a code cache kept between runs: the functions a run
// compiled are saved after it, so the next start skips parsing and compiling them. On Node 20
// (no module compile cache) this is the difference between 60 and 45 ms for `reactorcide run`.
//
// The cache is an optimisation only: it lives in a private directory under the temp dir, keyed
// by Node version, architecture and the bundle's content hash (the build writes it in the first
// line: V8 itself checks little more than the source length), written atomically, and ignored
// when missing, unreadable, not ours or rejected by V8.

function cacheDir() {
  return join(tempDir(), `reactorcide-code-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

// os.tmpdir() as Node works it out on POSIX, without loading node:os (code compiled afresh in
// every process) for one path.
function tempDir() {
  if (process.platform === 'win32') return require('node:os').tmpdir();
  const dir = process.env.TMPDIR || process.env.TMP || process.env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

// Code from a cache file runs as this process: only a directory of our own, writable by no one
// else, is trusted.
function trusted(dir) {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) return false;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  return (st.mode & 0o022) === 0;
}

// One buffer for both reads, each through open/read/close: readFileSync's own path (a stat, a
// buffer per file) is more code compiled afresh in every process, on every job's clock.
let readBuffer;

/** The file's bytes (a view of the shared buffer: used before the next read), or undefined. */
function readBytes(file) {
  readBuffer ??= Buffer.allocUnsafeSlow(1 << 20);
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const n = fs.readSync(fd, readBuffer, 0, readBuffer.length, 0);
    // A file that fills the buffer may go on: read it whole the ordinary way.
    return n < readBuffer.length ? readBuffer.subarray(0, n) : fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function readCache(file) {
  return trusted(dirname(file)) ? readBytes(file) : undefined;
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
  const bytes = readBytes(file);
  if (bytes === undefined) return undefined;
  const source = bytes.utf8Slice(0, bytes.length);
  const hash = /^\/\/ bundle-hash: ([0-9a-f]+)\n/.exec(source)?.[1];
  const key = hash === undefined ? undefined : `${process.version}-${process.arch}-${hash}`;
  const cacheFile = key === undefined ? undefined : join(cacheDir(), key);
  let cachedData = cacheFile === undefined ? undefined : readCache(cacheFile);
  // A cache the build made ships next to the bundle, for the runs that never see a warm temp dir
  // (each Kubernetes job's pod starts with an empty one); it is as trusted as the bundle itself.
  if (cachedData === undefined && key !== undefined) cachedData = readBytes(join(dirname(file), 'code-cache', key));
  // The module wrapper on the first line, so line numbers stay the bundle's own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __importModule) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const bundleModule = { exports: {} };
  // Code from a cache cannot call import() itself; the bundle's imports come here instead.
  const importModule = (specifier) => import(specifier);
  // This file's own require: the bundle asks only for Node's modules and this package's
  // dependencies, found the same from here, and createRequire() is more code to compile.
  script.runInThisContext()(bundleModule.exports, require, bundleModule, file, dirname(file), importModule);
  return {
    exports: bundleModule.exports,
    saveCodeCache() {
      if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
        writeCache(cacheFile, script.createCachedData());
      }
    },
  };
}

// --- The command.
const bundle = join(__dirname, '..', 'dist', 'bundle');

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === 'run') {
    const fast = loadWithCodeCache(join(bundle, 'run-fast.cjs'));
    const code = fast === undefined ? undefined : await fast.exports.runFast(args.slice(1));
    if (code !== undefined) {
      fast.saveCodeCache();
      return code;
    }
  }
  if (!fs.existsSync(join(bundle, 'program.js'))) {
    process.stderr.write('reactorcide: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
    return 70;
  }
  // Node >= 22.1 keeps V8's compiled code of ES modules between runs; Node 20 skips this.
  require('node:module').enableCompileCache?.();
  const { pathToFileURL } = require('node:url');
  await (await import(pathToFileURL(join(bundle, 'program.js')).href)).runProgram(process.argv);
  return undefined;
}

if (require.main === module) {
  main().then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (err) => {
      process.stderr.write(`reactorcide: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  // Required rather than run (the loader's tests): it only hands out the loader.
  module.exports = { loadWithCodeCache };
}
