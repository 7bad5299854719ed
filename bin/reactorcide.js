#!/usr/bin/env node
// The `reactorcide` command: runs the bundled CLI. `npm ci` builds dist/ through the prepare script.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node ≥ 22.1 can keep V8's compiled code between runs; the runner starts every job, so its
// start-up is worth it. Node 20 has no such cache and simply skips this.
module.enableCompileCache?.();

const main = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('reactorcide: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(70);
}
await import(main.href);
