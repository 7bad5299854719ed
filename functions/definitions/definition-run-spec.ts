import { AppError, invalidInput, notFound } from '../../core/errors.ts';
import { parseDefinitionRef, secretsFor, type DefinitionEntrypoint, type JobDefinition } from '../../core/job-definition.ts';
import type { CodeLocation, JobSpec } from '../../core/job-spec.ts';
import { jobSpecLimits } from '../../core/job-spec.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import { reservedEnvNameReason } from '../../core/reserved-env-names.ts';
import type { Deps } from '../deps.ts';
import { blobKey } from '../handlers/upload-blob.ts';
import { sourceHostProblem } from './contributor-source-host.ts';
import { compileParamPattern, paramRejected, paramValueProblem } from './param-pattern.ts';
import { runsDefinitionsOnly } from './run-request-fields.ts';

/** A submit body that runs a definition, validated (the field check of run-request-fields.ts passed). */
export interface DefinitionRunRequest {
  readonly definition: string;
  readonly source: CodeLocation;
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** Extras a maintainer may add; absent for contributors. */
  readonly name?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly queue?: string | undefined;
  readonly priority?: number | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
}

const forbidden = (field: string, message: string): AppError => new AppError('forbidden', `${field}: ${message}`, { field });

/**
 * The job spec of a run of a definition: job code from the pinned digest, the entrypoint as the
 * command, the definition's caps, the secret names it grants the submitter's role, the params as
 * env vars — and a record of the definition, so status and audit show what ran.
 */
export async function definitionRunSpec(
  deps: Pick<Deps, 'definitions' | 'storage' | 'settings'>,
  principal: TokenInfo,
  run: DefinitionRunRequest,
): Promise<JobSpec> {
  const ref = parseDefinitionRef(run.definition);
  if (ref === null) throw invalidInput('spec.definition: must be name@version', { field: 'spec.definition' });
  const def = await deps.definitions.get(ref.name, ref.version);
  if (def === null) throw notFound(`no job definition ${run.definition}`);
  const role = principal.role;
  const restricted = runsDefinitionsOnly(role);
  if (!def.roles.includes(role)) throw forbidden('definition', `${run.definition} may not be run by role ${role}`);
  if (def.state !== 'approved' && restricted) throw forbidden('definition', `${run.definition} is ${def.state === 'revoked' ? 'revoked' : 'not approved'}`);
  if (restricted) checkUntrustedSource(deps, run.source);

  const env: Record<string, string> = { ...paramEnv(def, run.params ?? {}) };
  for (const [name, value] of Object.entries(run.env ?? {})) {
    const reason = reservedEnvNameReason(name);
    if (reason !== null) throw forbidden(`env.${name}`, reason);
    if (name in env) throw invalidInput(`env.${name}: is a parameter of ${run.definition}; set it through params`, { field: `env.${name}` });
    env[name] = value;
  }
  const secrets = secretsFor(def, role);
  for (const name of Object.keys(env)) {
    if (secrets.includes(name)) throw invalidInput(`env.${name}: is a secret of ${run.definition}`, { field: `env.${name}` });
  }
  const command = entrypointCommand(def.entrypoint);
  return {
    name: run.name ?? run.definition,
    source: run.source,
    jobCode: { kind: 'tarball', url: def.jobCode.url, sha256: def.jobCode.sha256 },
    ...(command === undefined ? {} : { command }),
    env,
    secrets: [...secrets],
    resources: { ...(def.caps.cpu === undefined ? {} : { cpu: def.caps.cpu }), ...(def.caps.memory === undefined ? {} : { memory: def.caps.memory }) },
    timeout: def.caps.timeout,
    priority: run.priority ?? def.caps.priority ?? 0,
    queue: run.queue ?? 'default',
    labels: run.labels ?? {},
    dependsOn: [],
    definition: { name: def.name, version: def.version, digest: def.jobCode.sha256, ...(restricted ? { requiresApproval: true } : {}) },
  };
}

/** Params as env vars: each name declared by the definition, each value matching its pattern. */
function paramEnv(def: JobDefinition, given: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    // Checked before the definition is consulted: the reason is the same whatever it declares.
    const reason = reservedEnvNameReason(name);
    if (reason !== null) throw forbidden(`params.${name}`, reason);
    const param = Object.hasOwn(def.params, name) ? def.params[name] : undefined;
    if (param === undefined) throw paramRejected(name, `${def.name}@${def.version} has no such parameter`);
    const problem = paramValueProblem(compileParamPattern(param.pattern, `params.${name}.pattern`), value);
    if (problem !== null) throw paramRejected(name, problem);
    env[name] = value;
  }
  for (const [name, param] of Object.entries(def.params)) {
    if (name in env) continue;
    if (param.default === undefined) throw paramRejected(name, 'is required');
    env[name] = param.default;
  }
  if (Object.keys(env).length > jobSpecLimits.maxEnv) throw invalidInput('params: too many', { field: 'params' });
  return env;
}

/**
 * A contributor's source must be a tarball pinned by sha256, uploaded to this server
 * (`PUT /v1/blobs`) or fetched over https from a host the operator allows
 * (contributor-source-host.ts): a directory, a `file://` or `s3://` URL of its choosing would
 * let it point the maintainers' job code, and its secrets, at files on the runner's host or in
 * the bucket, and an https URL of any host at services inside the cluster.
 */
function checkUntrustedSource(deps: Pick<Deps, 'storage' | 'settings'>, source: CodeLocation): void {
  if (source.kind !== 'tarball') throw forbidden('source.kind', 'contributors submit a tarball (upload it with PUT /v1/blobs)');
  if (source.sha256 === undefined) throw forbidden('source.sha256', 'contributors must pin the source by sha256');
  const blobUrl = deps.storage?.urlOf(blobKey(source.sha256));
  if (source.url === blobUrl) return;
  if (source.url.startsWith('https://')) {
    const problem = sourceHostProblem(source.url, deps.settings.contributorSourceHosts ?? []);
    if (problem === null) return;
    throw forbidden('source.url', problem);
  }
  throw forbidden('source.url', 'must be the url PUT /v1/blobs returned for this sha256, or an https:// URL of a host the operator allows');
}

/**
 * The command of the run phase. A script path is resolved against the job code by the shell at
 * run time ($REACTORCIDE_JOB_DIR is set by the runner and cannot be set by a submitter), never
 * against the source, which the submitter controls.
 */
export function entrypointCommand(entrypoint: DefinitionEntrypoint | undefined): string[] | undefined {
  if (entrypoint === undefined) return undefined;
  if ('command' in entrypoint) return [...entrypoint.command];
  return ['/bin/sh', '-c', 'exec "$REACTORCIDE_JOB_DIR/$1"', 'reactorcide-entrypoint', entrypoint.script];
}
