#!/usr/bin/env node
// The `reactorcide` command: runs the compiled CLI. `npm ci` builds dist/ through the prepare script.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('reactorcide: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(70);
}
await import(main.href);
