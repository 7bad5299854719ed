// Compiles the TypeScript sources into dist/ (what the `reactorcide` bin and the package exports run).
// dist/ is wiped first so a deleted source never lingers as a stale .js. The job library is also
// compiled to CommonJS, because a .ts job in a package without "type": "module" runs as CommonJS
// and Node 20 cannot require() an ES module.
import { rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const project of ['tsconfig.build.json', 'tsconfig.job-cjs.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
