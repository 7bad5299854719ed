// Runs every *.test.ts with node:test, through tsx so no build is needed.
// Node 20 cannot glob --test arguments, so the files are found here.
// `node scripts/test.mjs runner/ core/x.test.ts` runs only tests under those paths.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', 'dist', '.git', '.ci', '.reactorcide-data']);

function* testFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.ts')) yield relative(root, path);
  }
}

const filters = process.argv.slice(2);
const files = [...testFiles(root)]
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p.replace(/^\.\//, ''))))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
const concurrency = Math.max(2, availableParallelism());
const r = spawnSync(
  process.execPath,
  // A hung test fails after two minutes instead of holding CI until its own time limit.
  ['--import', 'tsx', '--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
