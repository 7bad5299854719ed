import { notFound } from '../../core/errors.ts';
import type { JobDefinition } from '../../core/job-definition.ts';
import type { Deps } from '../deps.ts';

/** Reading definitions: every role may, so a contributor can see what a run of one will do. */
export async function getDefinition(deps: Pick<Deps, 'definitions'>, input: { readonly name: string; readonly version: number }): Promise<JobDefinition> {
  const def = await deps.definitions.get(input.name, input.version);
  if (def === null) throw notFound(`no job definition ${input.name}@${input.version}`);
  return def;
}

export async function listDefinitions(
  deps: Pick<Deps, 'definitions'>,
  input: { readonly name?: string | undefined; readonly limit: number },
): Promise<{ definitions: readonly JobDefinition[] }> {
  return { definitions: await deps.definitions.list({ ...(input.name === undefined ? {} : { name: input.name }), limit: input.limit }) };
}
