// Builds dist/:
// - tsc compiles every source (the package's exports, the API server, the benchmarks); dist/ is
//   wiped first so a deleted source never lingers as a stale .js;
// - the job library again as CommonJS, because a .ts job in a package without "type": "module"
//   runs as CommonJS and Node 20 cannot require() an ES module;
// - esbuild bundles the CLI into dist/bundle/ (lazy parts split into chunks), which is what the
//   `reactorcide` bin runs: one file to load instead of dozens keeps the runner's start-up — on
//   every job's clock — close to bare Node's.
import { rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const project of ['tsconfig.build.json', 'tsconfig.job-cjs.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');

await build({
  absWorkingDir: root,
  entryPoints: ['cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
