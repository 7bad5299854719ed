/**
 * The installed command as users and executors start it: bin/reactorcide.js over the built
 * dist/ (the CommonJS fast path of `run` with its V8 code cache, and the full CLI for the rest).
 * Runs only when dist/ is built (`npm test` builds first); the tests from source cover the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    assert.equal(readdirSync(cacheDirIn(tmp)).length, 1, `${round}: one cache file, for this Node and this bundle`);
  }
});

test('a cache file V8 rejects is ignored and replaced', { skip }, () => {
  const tmp = freshTmp();
  const source = mkdtempSync(join(scratch, 'src-'));
  writeFileSync(join(source, 'reactorcide_job.sh'), 'echo hello from the job\n');
  assert.equal(runBin(['run', '--format', 'ndjson', '--source', source], tmp).code, 0);
  const [name] = readdirSync(cacheDirIn(tmp));
  assert.ok(name !== undefined);
  writeFileSync(join(cacheDirIn(tmp), name), 'not a code cache');
  const r = runBin(['run', '--format', 'ndjson', '--source', source], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /hello from the job/);
  assert.deepEqual(readdirSync(cacheDirIn(tmp)), [name]);
  assert.ok(statSync(join(cacheDirIn(tmp), name)).size > 1000, 'rewritten with a real code cache');
  assert.ok(runBin(['run', '--format', 'ndjson', '--source', source], tmp).stdout.includes('hello from the job'));
});

test('a cache directory others can write to is neither read nor written', { skip }, () => {
  const tmp = freshTmp();
  const source = mkdtempSync(join(scratch, 'src-'));
  writeFileSync(join(source, 'reactorcide_job.sh'), 'true\n');
  mkdirSync(cacheDirIn(tmp));
  chmodSync(cacheDirIn(tmp), 0o777);
  const r = runBin(['run', '--format', 'ndjson', '--source', source], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(cacheDirIn(tmp)), []);
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
