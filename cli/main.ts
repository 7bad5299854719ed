/**
 * The `reactorcide` command. A well-formed `run` takes the fast path, which never loads commander
 * (the runner's start-up is on every job's clock); everything else, `--help` and every usage
 * error included, goes to the full command line in program.ts.
 */
const args = process.argv.slice(2);
const wantsHelp = args.some((a) => a === '--help' || a === '-h' || a === 'help');
const ranFast = args[0] === 'run' && !wantsHelp && (await (await import('./run-fast.ts')).runFast(args.slice(1)));
if (!ranFast) await (await import('./program.ts')).runProgram(process.argv);
