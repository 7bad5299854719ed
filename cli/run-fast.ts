/**
 * The fast path of `reactorcide run`: flags parsed with node:util from the same table commander
 * uses, no commander loaded. A runner starts every job, so its start-up is on every job's clock.
 * Anything it cannot parse, and any ask for help, is handed to the full CLI, which gives the
 * usage or the usage error.
 *
 * This file is also the entry of the CommonJS bundle the `reactorcide` bin loads for `run`
 * (scripts/build.mjs): CommonJS skips the ES module loader's start-up, and the bin keeps a V8
 * code cache of it.
 */
import { parseArgs } from 'node:util';
import { RunFlagError, runFlags, runFlagsToEnv } from './commands/run-flags.ts';

/**
 * Runs the job for the arguments after `run` and returns the runner's exit code, or undefined
 * when the arguments are not for the fast path (the full CLI takes over). It does not exit:
 * the caller may still have work to do (the bin saves its code cache).
 */
export async function runFast(args: readonly string[]): Promise<number | undefined> {
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  if (own.some((a) => a === '--help' || a === '-h' || a === 'help')) return undefined;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(runFlags.map((f) => [f.name, { type: 'string', multiple: f.repeatable === true }])),
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return undefined;
  }
  let env;
  try {
    env = runFlagsToEnv(parsed.values as Record<string, string | string[] | undefined>, parsed.positionals, process.env);
  } catch (err) {
    if (err instanceof RunFlagError) return undefined;
    throw err;
  }
  const { runnerMain } = await import('../runner/main.ts');
  return runnerMain(env, process.cwd());
}
