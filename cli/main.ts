/**
 * The `reactorcide` command, as one ES module (run from source, and bundled to dist/bundle/main.js).
 * A well-formed `run` takes the fast path, which never loads commander (the runner's start-up is
 * on every job's clock); everything else, `--help` and every usage error included, goes to the
 * full command line in program.ts. The installed bin makes the same split itself, loading the
 * fast path as CommonJS with a code cache (bin/reactorcide.js).
 */
const args = process.argv.slice(2);
const code = args[0] === 'run' ? await (await import('./run-fast.ts')).runFast(args.slice(1)) : undefined;
if (code !== undefined) process.exit(code);
await (await import('./program.ts')).runProgram(process.argv);
