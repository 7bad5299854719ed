import { Option, type Command } from 'commander';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `reactorcide run`: run a job here, against a directory, through the same runner a cluster
 * uses. Every flag becomes the REACTORCIDE_* variable the runner reads, so flags and env agree.
 */
export function defineRun(program: Command): void {
  program
    .command('run')
    .summary('run a job here, against the current directory')
    .description(
      'Run a job against a directory (the current one by default) through the runner\'s phases:\n' +
        'fetch source, fetch job code, startup, environment, run, cleanup.\n\n' +
        'The job script is reactorcide_job.{ts,mjs,js,sh,py} (or an executable reactorcide_job) in the\n' +
        'job code, unless a command follows `--`. Secrets named with --secret (and env vars whose names\n' +
        'look secret, like *_TOKEN) are masked in everything the job prints.\n\n' +
        'Exit code: the job\'s own, or 125 when the system around it failed (fetch, plugin, no script).',
    )
    .option('--source <dir>', 'the code to act on, the job\'s working directory (default: the current directory)')
    .option('--job <dir>', 'the code that does the job (default: the source)')
    .option('--env <KEY=VALUE>', 'set an env var for the job (repeatable)', collect, [])
    .option('--secret <NAME>', 'treat env var NAME as a secret: masked everywhere (repeatable)', collect, [])
    .option('--plugin-dir <dir>', 'load plugins from this directory too')
    .option('--job-id <id>', 'the run\'s id (default: a generated local-… id)')
    .option('--work-dir <dir>', 'scratch directory for the run (default: a fresh temporary one)')
    .addOption(new Option('--format <format>', 'output format (default: text)').choices(['text', 'ndjson']))
    .argument('[command...]', 'a command to run instead of the job script (after --)')
    .action(async (command: string[], opts: RunFlags) => {
      const { runnerMain } = await import('../../runner/main.ts');
      const env = { ...process.env, ...flagsToEnv(opts, command, process.env) };
      process.exit(await runnerMain(env, process.cwd()));
    });
}

/** Flags left out leave the environment's REACTORCIDE_* settings alone: flags win only when given. */
interface RunFlags {
  source?: string;
  job?: string;
  env: string[];
  secret: string[];
  pluginDir?: string;
  jobId?: string;
  workDir?: string;
  format?: string;
}

function flagsToEnv(opts: RunFlags, command: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of opts.env) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`reactorcide run: --env expects KEY=VALUE, got ${JSON.stringify(pair)}\n`);
      process.exit(2);
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined) out[name] = value;
  };
  set('REACTORCIDE_SOURCE', opts.source);
  set('REACTORCIDE_JOB_CODE', opts.job);
  set('REACTORCIDE_PLUGIN_DIR', opts.pluginDir);
  set('REACTORCIDE_JOB_ID', opts.jobId);
  set('REACTORCIDE_WORK_DIR', opts.workDir);
  set('REACTORCIDE_LOG_FORMAT', opts.format);
  if (command.length > 0) set('REACTORCIDE_COMMAND', JSON.stringify(command));
  const secrets = [...(env.REACTORCIDE_SECRET_NAMES ?? '').split(','), ...opts.secret].map((s) => s.trim()).filter(Boolean);
  if (secrets.length > 0) set('REACTORCIDE_SECRET_NAMES', [...new Set(secrets)].join(','));
  return out;
}
