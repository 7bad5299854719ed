/**
 * The environment a runner child gets: a few pass-through variables from the dispatcher's own,
 * the job's env, its secrets (named in REACTORCIDE_SECRET_NAMES so the runner masks them), and
 * the REACTORCIDE_* settings that describe the run. Nothing else of the dispatcher's environment
 * (DATABASE_URL, cloud credentials, …) reaches a job.
 */
import { AppError } from '../../core/errors.ts';
import type { CodeLocation } from '../../core/job-spec.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';

export const defaultPassThrough = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

export function runnerEnv(
  spec: ExecutionSpec,
  options: { readonly workDir: string; readonly inherit: Readonly<Record<string, string | undefined>>; readonly passThrough: readonly string[] },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of options.passThrough) {
    const v = options.inherit[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [name, value] of [...Object.entries(spec.env), ...Object.entries(spec.secrets)]) {
    // The API refuses these at submit; refusing here too keeps a job from steering its own runner.
    if (name.startsWith('REACTORCIDE_')) throw new AppError('invalid_input', `env var ${name} is reserved for the runner`);
    env[name] = value;
  }
  Object.assign(env, codeSettings('SOURCE', spec.source), spec.jobCode ? codeSettings('JOB_CODE', spec.jobCode) : {});
  env.REACTORCIDE_JOB_ID = spec.jobId;
  env.REACTORCIDE_WORK_DIR = options.workDir;
  env.REACTORCIDE_LOG_FORMAT = 'ndjson';
  env.REACTORCIDE_STOP_ON_STDIN_END = 'true';
  const secretNames = Object.keys(spec.secrets);
  if (secretNames.length > 0) env.REACTORCIDE_SECRET_NAMES = secretNames.join(',');
  if (spec.command && spec.command.length > 0) env.REACTORCIDE_COMMAND = JSON.stringify(spec.command);
  return env;
}

function codeSettings(which: 'SOURCE' | 'JOB_CODE', location: CodeLocation): Record<string, string> {
  if (location.kind === 'directory') return { [`REACTORCIDE_${which}`]: location.path };
  return {
    [`REACTORCIDE_${which}`]: location.url,
    ...(location.sha256 ? { [`REACTORCIDE_${which}_SHA256`]: location.sha256 } : {}),
  };
}
