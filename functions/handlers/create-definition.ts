import { invalidInput } from '../../core/errors.ts';
import type { DefinitionBody, JobDefinition } from '../../core/job-definition.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import { reservedEnvNameReason } from '../../core/reserved-env-names.ts';
import { AppError } from '../../core/errors.ts';
import { compileParamPattern, paramValueProblem } from '../definitions/param-pattern.ts';
import type { Deps } from '../deps.ts';

export interface CreateDefinitionInput extends DefinitionBody {
  readonly principal: TokenInfo;
  readonly name: string;
}

/**
 * Writes the name's next version, pending approval. Everything a run will trust is checked here,
 * once: param names that would change what runs are refused, patterns must compile in RE2 and
 * defaults must match them, a role's secrets must be among the definition's, a param may not
 * shadow a secret, and a script entrypoint must stay inside the job code.
 */
export async function createDefinition(deps: Pick<Deps, 'definitions'>, input: CreateDefinitionInput): Promise<JobDefinition> {
  const { principal, name, ...body } = input;
  for (const [param, spec] of Object.entries(body.params)) {
    const field = `body.params.${param}`;
    const reason = reservedEnvNameReason(param);
    if (reason !== null) throw new AppError('forbidden', `${field}: ${reason}`, { field });
    if (body.secrets.includes(param)) throw invalidInput(`${field}: is also a secret of this definition`, { field });
    const pattern = compileParamPattern(spec.pattern, `${field}.pattern`);
    if (spec.default !== undefined) {
      const problem = paramValueProblem(pattern, spec.default);
      if (problem !== null) throw invalidInput(`${field}.default: ${problem}`, { field: `${field}.default` });
    }
  }
  for (const [role, names] of Object.entries(body.secretsByRole)) {
    for (const secret of names ?? []) {
      if (!body.secrets.includes(secret)) {
        throw invalidInput(`body.secretsByRole.${role}: ${secret} is not among the definition's secrets`, { field: `body.secretsByRole.${role}` });
      }
    }
  }
  const entry = body.entrypoint;
  if (entry !== undefined && 'script' in entry) {
    const segments = entry.script.split('/');
    if (entry.script.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || /[\0\\]/.test(entry.script)) {
      throw invalidInput('body.entrypoint.script: must be a relative path inside the job code, without . or .. segments', { field: 'body.entrypoint.script' });
    }
  }
  return deps.definitions.create({ name, body, createdBy: principal.id });
}
