import { Option, type Command } from 'commander';
import { RunFlagError, runFlags, runFlagsToEnv, type RunFlagValues } from './run-flags.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
/** commander names `--plugin-dir` pluginDir; the table uses the flag's own name. */
const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * `reactorcide run`: run a job here, against a directory, through the same runner a cluster
 * uses. This declaration gives --help and usage errors; cli/main.ts takes a faster path for a
 * well-formed `run` that skips commander altogether (a runner starts every job).
 */
export function defineRun(program: Command): void {
  const cmd = program
    .command('run')
    .summary('run a job here, against the current directory')
    .description(
      "Run a job against a directory (the current one by default) through the runner's phases:\n" +
        'fetch source, fetch job code, startup, environment, run, cleanup.\n\n' +
        'The job script is reactorcide_job.{ts,mjs,js,sh,py} (or an executable reactorcide_job) in the\n' +
        'job code, unless a command follows `--`. Secrets named with --secret (and env vars whose names\n' +
        'look secret, like *_TOKEN) are masked in everything the job prints.\n\n' +
        "Exit code: the job's own, or 125 when the system around it failed (fetch, plugin, no script),\n" +
        'or 128+N when stopped by signal N.',
    )
    .argument('[command...]', 'a command to run instead of the job script (after --)');
  for (const f of runFlags) {
    const option = new Option(`--${f.name} <${f.value}>`, f.help);
    if (f.choices) option.choices(f.choices);
    if (f.repeatable) option.argParser(collect);
    cmd.addOption(option);
  }
  cmd.action(async (command: string[], opts: Record<string, string | string[] | undefined>) => {
    const values: RunFlagValues = Object.fromEntries(runFlags.map((f) => [f.name, opts[camel(f.name)]]));
    let env;
    try {
      env = runFlagsToEnv(values, command, process.env);
    } catch (err) {
      if (!(err instanceof RunFlagError)) throw err;
      process.stderr.write(`reactorcide run: ${err.message}\n`);
      process.exit(2);
    }
    const { runnerMain } = await import('../../runner/main.ts');
    process.exit(await runnerMain(env, process.cwd()));
  });
}
