/**
 * The environment a runner child gets: a few pass-through variables from the dispatcher's own,
 * the job's env, its secrets (named in REACTORCIDE_SECRET_NAMES so the runner masks them), and
 * the REACTORCIDE_* settings that describe the run. Nothing else of the dispatcher's environment
 * (DATABASE_URL, cloud credentials, …) reaches a job.
 */
import { AppError } from '../../core/errors.ts';
import type { CodeLocation } from '../../core/job-spec.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { runnerEnv as runnerVars } from '../../runner/config.ts';
import { jobApiEnv, runSecrets } from '../../runner/job/api-env.ts';

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
  Object.assign(
    env,
    codeSettings(runnerVars.source, runnerVars.sourceSha256, spec.source),
    spec.jobCode ? codeSettings(runnerVars.jobCode, runnerVars.jobCodeSha256, spec.jobCode) : {},
  );
  env[runnerVars.jobId] = spec.jobId;
  env[runnerVars.workDir] = options.workDir;
  env[runnerVars.logFormat] = 'ndjson';
  env[runnerVars.stopOnStdinEnd] = 'true';
  // The job token is a secret like any other: named, so the runner masks it whatever its patterns.
  if (spec.api) Object.assign(env, { [jobApiEnv.url]: spec.api.url, [jobApiEnv.token]: spec.api.token });
  const secretNames = Object.keys(runSecrets(spec));
  if (secretNames.length > 0) env[runnerVars.secretNames] = secretNames.join(',');
  if (spec.command && spec.command.length > 0) env[runnerVars.command] = JSON.stringify(spec.command);
  return env;
}

function codeSettings(name: string, sha256Name: string, location: CodeLocation): Record<string, string> {
  if (location.kind === 'directory') return { [name]: location.path };
  return { [name]: location.url, ...(location.sha256 ? { [sha256Name]: location.sha256 } : {}) };
}
