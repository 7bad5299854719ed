/**
 * The fast path of `reactorcide run`: flags parsed here from the same table commander uses, no
 * commander loaded. A runner starts every job, so its start-up is on every job's clock.
 * Anything it cannot parse, and any ask for help, is handed to the full CLI, which gives the
 * usage or the usage error.
 *
 * This file is also the entry of the CommonJS bundle the `reactorcide` bin loads for `run`
 * (scripts/build.mjs): CommonJS skips the ES module loader's start-up, and the bin keeps a V8
 * code cache of it.
 */
import { RunFlagError, runFlags, runFlagsToEnv } from './commands/run-flags.ts';

export interface ParsedRunArgs {
  readonly values: Record<string, string | string[]>;
  readonly positionals: string[];
}

/**
 * The run flags as node:util's parseArgs reads them in strict mode (every flag takes a string,
 * repeatable ones collect, positionals allowed, everything after `--` is positional), or
 * undefined for anything it would refuse — and for the rare spellings this does not bother
 * with (short flags), which the full CLI then parses. Written out rather than calling parseArgs,
 * whose code Node compiles afresh in every process: a few hundred microseconds of each job.
 */
export function parseRunArgs(args: readonly string[]): ParsedRunArgs | undefined {
  const values: Record<string, string | string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) return undefined;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = runFlags.find((f) => f.name === name);
    if (flag === undefined) return undefined;
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      // parseArgs (strict) refuses a missing value and one that looks like an option.
      if (next === undefined || next.startsWith('-')) return undefined;
      value = next;
      i++;
    }
    if (flag.repeatable === true) ((values[name] as string[] | undefined) ?? (values[name] = [])).push(value);
    else values[name] = value;
  }
  return { values, positionals };
}

/**
 * Runs the job for the arguments after `run` and returns the runner's exit code, or undefined
 * when the arguments are not for the fast path (the full CLI takes over). It does not exit:
 * the caller may still have work to do (the bin saves its code cache).
 */
export async function runFast(args: readonly string[]): Promise<number | undefined> {
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  if (own.some((a) => a === '--help' || a === '-h' || a === 'help')) return undefined;
  const parsed = parseRunArgs(args);
  if (parsed === undefined) return undefined;
  let env;
  try {
    env = runFlagsToEnv(parsed.values, parsed.positionals, process.env);
  } catch (err) {
    if (err instanceof RunFlagError) return undefined;
    throw err;
  }
  const { runnerMain } = await import('../runner/main.ts');
  return runnerMain(env, process.cwd());
}
