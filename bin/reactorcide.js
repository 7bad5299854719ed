#!/usr/bin/env node
// The `reactorcide` command. `npm ci` builds dist/ through the prepare script.
//
// CommonJS on purpose (bin/package.json): the runner starts every job, so its start-up is on
// every job's clock, and a CommonJS entry spares Node 20 the ES module loader's start-up. A
// `run` goes to the fast path, bundled as one CommonJS file and loaded with a V8 code cache;
// when that path declines (help, a usage error), and for every other command, the full command
// line (commander, ES modules) takes over.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundle = join(__dirname, '..', 'dist', 'bundle');

async function main() {
  if (!existsSync(join(bundle, 'program.js'))) {
    process.stderr.write('reactorcide: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
    return 70;
  }
  const args = process.argv.slice(2);
  if (args[0] === 'run') {
    const fast = require('./code-cache.js').loadWithCodeCache(join(bundle, 'run-fast.cjs'));
    const code = await fast.exports.runFast(args.slice(1));
    if (code !== undefined) {
      fast.saveCodeCache();
      return code;
    }
  }
  // Node ≥ 22.1 keeps V8's compiled code of ES modules between runs; Node 20 skips this.
  require('node:module').enableCompileCache?.();
  await (await import(pathToFileURL(join(bundle, 'program.js')).href)).runProgram(process.argv);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err) => {
    process.stderr.write(`reactorcide: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
