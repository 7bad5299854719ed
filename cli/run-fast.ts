/**
 * The fast path of `reactorcide run`: flags parsed with node:util from the same table commander
 * uses, no commander loaded. A runner starts every job, so its start-up is on every job's clock.
 * Anything it cannot parse is handed to the full CLI, which gives the usage error.
 */
import { parseArgs } from 'node:util';
import { RunFlagError, runFlags, runFlagsToEnv } from './commands/run-flags.ts';

/** Returns false when the arguments are not for the fast path (the full CLI takes over). */
export async function runFast(args: readonly string[]): Promise<boolean> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(runFlags.map((f) => [f.name, { type: 'string', multiple: f.repeatable === true }])),
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return false;
  }
  let env;
  try {
    env = runFlagsToEnv(parsed.values as Record<string, string | string[] | undefined>, parsed.positionals, process.env);
  } catch (err) {
    if (err instanceof RunFlagError) return false;
    throw err;
  }
  const { runnerMain } = await import('../runner/main.ts');
  process.exit(await runnerMain(env, process.cwd()));
}
