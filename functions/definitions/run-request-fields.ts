import { AppError } from '../../core/errors.ts';
import { denialReason, type Role } from '../../core/roles.ts';
import { reservedEnvNameReason } from '../../core/reserved-env-names.ts';

/**
 * Which top-level fields a submit body may carry when it runs a definition. A contributor may
 * send the definition, the source and the params, nothing else: every other field — command,
 * jobCode, env, secrets, image, resources, priority, … — would change what runs, so it is
 * refused by name, never dropped. Maintainers and admins may also organise their runs (name,
 * labels, queue, priority) and add env vars; the job code, entrypoint, secrets and caps still
 * come from the definition, since a full spec is there for anything else.
 */
export const contributorRunFields: ReadonlySet<string> = new Set(['definition', 'source', 'params']);
export const maintainerRunFields: ReadonlySet<string> = new Set([...contributorRunFields, 'name', 'labels', 'queue', 'priority', 'env']);

/** Roles that may not submit a full spec, only runs of definitions (contributors). */
export const runsDefinitionsOnly = (role: Role): boolean => denialReason(role, 'jobs:submit') !== null;

const own = (body: object, key: string): boolean => Object.prototype.hasOwnProperty.call(body, key);

/**
 * The refusal for a submit body `role` may not send, or null. Runs before the body is validated
 * (so a contributor's `plugins` is a 403 naming it, not a 400 for an unknown field); a body that
 * is not a JSON object is left to validation.
 */
export function runRequestProblem(role: Role, body: unknown): AppError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const isRun = own(body, 'definition');
  if (runsDefinitionsOnly(role)) {
    for (const key of Object.keys(body)) {
      if (!contributorRunFields.has(key)) {
        return new AppError(
          'forbidden',
          `${key}: a ${role} may send only definition, source and params; the approved definition decides everything else`,
          { field: key },
        );
      }
    }
    if (!isRun) return new AppError('forbidden', 'contributors may only run approved job definitions', { field: 'definition' });
    return paramNameProblem(body);
  }
  if (!isRun) {
    if (own(body, 'params')) return new AppError('invalid_input', 'params: only a run of a definition takes params', { field: 'params' });
    return null;
  }
  const params = paramNameProblem(body);
  if (params !== null) return params;
  for (const key of Object.keys(body)) {
    if (!maintainerRunFields.has(key)) {
      return new AppError('invalid_input', `${key}: a run of a definition takes its ${key} from the definition; submit a full spec instead`, { field: key });
    }
  }
  return null;
}

/**
 * Param names are judged on the raw body, before validation builds objects from them (where a
 * key like `__proto__` could vanish rather than be refused).
 */
function paramNameProblem(body: object): AppError | null {
  const params: unknown = (body as Record<string, unknown>)['params'];
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return null;
  for (const name of Object.keys(params)) {
    const reason = reservedEnvNameReason(name);
    if (reason !== null) return new AppError('forbidden', `params.${name}: ${reason}`, { field: `params.${name}` });
  }
  return null;
}
