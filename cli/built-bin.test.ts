/**
 * The installed command as users and executors start it: bin/reactorcide.js over the built
 * dist/ (the CommonJS fast path of `run` with its V8 code cache, and the full CLI for the rest).
 * Runs only when dist/ is built (`npm test` builds first); the tests from source cover the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = new URL('..', import.meta.url).pathname;
const bin = join(repoRoot, 'bin', 'reactorcide.js');
const built = existsSync(join(repoRoot, 'dist', 'bundle', 'run-fast.cjs'));
const skip = built ? false : 'dist/ is not built (npm run build)';
const typescriptExample = join(repoRoot, 'examples', 'typescript');

const scratch = mkdtempSync(join(tmpdir(), 'rc-bin-test-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** A private temp dir per test, so each sees its own code cache (os.tmpdir() follows TMPDIR). */
function freshTmp(): string {
  return mkdtempSync(join(scratch, 'tmp-'));
}

function cacheDirIn(tmp: string): string {
  return join(tmp, `reactorcide-code-cache-${process.getuid?.() ?? 'user'}`);
}

/** The cache's name for this Node and the built bundle (its hash is on the bundle's first line). */
function cacheKey(): string {
  const hash = /^\/\/ bundle-hash: ([0-9a-f]+)\n/.exec(readFileSync(join(repoRoot, 'dist', 'bundle', 'run-fast.cjs'), 'utf8'))?.[1];
  assert.ok(hash !== undefined, 'the bundle names its hash');
  return `${process.version}-${process.arch}-${hash}`;
}

function shippedCache(): string | undefined {
  const file = join(repoRoot, 'dist', 'bundle', 'code-cache', cacheKey());
  return existsSync(file) ? file : undefined;
}

test('the build ships a code cache for the Node that built it, readable by anyone', { skip }, () => {
  const shipped = readdirSync(join(repoRoot, 'dist', 'bundle', 'code-cache'));
  assert.equal(shipped.length, 1);
  assert.match(shipped[0] ?? '', /^v\d+\.\d+\.\d+-[a-z0-9]+-[0-9a-f]{16}$/);
  assert.equal(statSync(join(repoRoot, 'dist', 'bundle', 'code-cache', shipped[0] ?? '')).mode & 0o444, 0o444);
});

function runBin(args: string[], tmp: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: scratch,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TMPDIR: tmp },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function summaryOf(stdout: string): { outcome?: string } | undefined {
  const last = stdout.trim().split('\n').pop() ?? '';
  return last.startsWith('{') ? (JSON.parse(last) as { summary?: { outcome?: string } }).summary : undefined;
}

test('a TypeScript job with a plugin runs through the built bin, first filling the code cache, then from it', { skip }, () => {
  const tmp = freshTmp();
  for (const round of ['cold', 'cached']) {
    const r = runBin(['run', '--format', 'ndjson', '--source', typescriptExample, '--job-id', `bin-${round}`], tmp);
    assert.equal(r.code, 0, `${round}: ${r.stdout}\n${r.stderr}`);
    assert.equal(summaryOf(r.stdout)?.outcome, 'succeeded', round);
    assert.match(r.stdout, /plugin prepared BUILD_LABEL/, round);
    assert.match(r.stdout, /calling the API with \*\*\*EXAMPLE_API_KEY\*\*\*/, round);
    assert.equal(r.stderr, '', `${round}: nothing but the log, no warnings`);
    // With the cache the build shipped for this Node, the temp dir is never needed.
    const own = existsSync(cacheDirIn(tmp)) ? readdirSync(cacheDirIn(tmp)) : [];
    assert.deepEqual(own, shippedCache() === undefined ? [cacheKey()] : [], round);
  }
});

test('a cache file V8 rejects is ignored and replaced', { skip }, () => {
  const tmp = freshTmp();
  const source = mkdtempSync(join(scratch, 'src-'));
  writeFileSync(join(source, 'reactorcide_job.sh'), 'echo hello from the job\n');
  mkdirSync(cacheDirIn(tmp), { mode: 0o700 });
  const cache = join(cacheDirIn(tmp), cacheKey());
  writeFileSync(cache, 'not a code cache');
  const r = runBin(['run', '--format', 'ndjson', '--source', source], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /hello from the job/);
  assert.ok(statSync(cache).size > 1000, 'rewritten with a real code cache');
  assert.match(runBin(['run', '--format', 'ndjson', '--source', source], tmp).stdout, /hello from the job/);
});

// V8 checks little more than a cache's source length, so code planted as a cache runs as the
// runner: this is what the content hash in the key and the trusted directory are for.
test('the loader runs a cache only from a directory of its own that no one else can write', { skip }, () => {
  const tmp = freshTmp();
  const bundle = join(mkdtempSync(join(scratch, 'bundle-')), 'b.cjs');
  const load = (): string => {
    const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(repoRoot, 'bin', 'reactorcide.js'))}).loadWithCodeCache(process.argv[1]); process.stdout.write(m.exports); m.saveCodeCache();`, bundle], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmp },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  writeFileSync(bundle, '// bundle-hash: 00000000000000aa\nmodule.exports = "planted!";\n');
  assert.equal(load(), 'planted!');
  writeFileSync(bundle, '// bundle-hash: 00000000000000aa\nmodule.exports = "original";\n');
  assert.equal(load(), 'planted!', 'same key, same length: the cache runs (so the key must hold the content hash)');
  chmodSync(cacheDirIn(tmp), 0o777);
  assert.equal(load(), 'original', 'a directory others can write to is not trusted');
});

test('the built bin leaves help and usage errors to the full command line', { skip }, () => {
  const tmp = freshTmp();
  const help = runBin(['run', '--help'], tmp);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--source/);
  const bad = runBin(['run', '--no-such-flag'], tmp);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /no-such-flag/);
  assert.equal(runBin(['no-such-command'], tmp).code, 2);
  assert.equal(runBin(['run', '--format', 'yaml'], tmp).code, 2);
});
