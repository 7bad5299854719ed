/**
 * The flags of `reactorcide run`, declared once: commander builds `--help` and usage errors from
 * this table, and the fast path (run-fast.ts) parses from the same table, as parseArgs would. Each
 * flag becomes the REACTORCIDE_* variable the runner reads; a flag left out leaves the
 * environment's setting alone.
 */
export interface RunFlag {
  /** Long name without dashes. */
  readonly name: string;
  /** Placeholder for its value, e.g. `dir`. */
  readonly value: string;
  readonly help: string;
  readonly env?: string;
  readonly repeatable?: boolean;
  readonly choices?: readonly string[];
}

export const runFlags: readonly RunFlag[] = [
  { name: 'source', value: 'dir|url', env: 'REACTORCIDE_SOURCE', help: 'the code to act on: a directory or an archive URL (default: the current directory)' },
  { name: 'job', value: 'dir|url', env: 'REACTORCIDE_JOB_CODE', help: 'the code that does the job (default: the source)' },
  { name: 'env', value: 'KEY=VALUE', repeatable: true, help: 'set an env var for the job (repeatable)' },
  { name: 'secret', value: 'NAME', repeatable: true, help: 'treat env var NAME as a secret: masked everywhere (repeatable)' },
  { name: 'plugin-dir', value: 'dir', env: 'REACTORCIDE_PLUGIN_DIR', help: 'load plugins from this directory too' },
  { name: 'job-id', value: 'id', env: 'REACTORCIDE_JOB_ID', help: "the run's id (default: a generated local-… id)" },
  { name: 'work-dir', value: 'dir', env: 'REACTORCIDE_WORK_DIR', help: 'scratch directory for the run, removed at its end if the run created it (default: a fresh temporary one)' },
  { name: 'format', value: 'format', env: 'REACTORCIDE_LOG_FORMAT', choices: ['text', 'ndjson'], help: 'output format (default: text)' },
];

export type RunFlagValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export class RunFlagError extends Error {}

/** The environment for the runner: the caller's, with the flags' settings on top. */
export function runFlagsToEnv(values: RunFlagValues, command: readonly string[], env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const pair of (values.env as readonly string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new RunFlagError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  for (const flag of runFlags) {
    const v = values[flag.name];
    if (flag.env === undefined || typeof v !== 'string') continue;
    if (flag.choices && !flag.choices.includes(v)) {
      throw new RunFlagError(`option '--${flag.name} <${flag.value}>' argument '${v}' is invalid. Allowed choices are ${flag.choices.join(', ')}.`);
    }
    out[flag.env] = v;
  }
  if (command.length > 0) out.REACTORCIDE_COMMAND = JSON.stringify(command);
  const secrets = [...(env.REACTORCIDE_SECRET_NAMES ?? '').split(','), ...((values.secret as readonly string[] | undefined) ?? [])]
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length > 0) out.REACTORCIDE_SECRET_NAMES = [...new Set(secrets)].join(',');
  return out;
}
