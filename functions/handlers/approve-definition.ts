import { notFound } from '../../core/errors.ts';
import type { JobDefinition } from '../../core/job-definition.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import type { Deps } from '../deps.ts';

export interface DefinitionApprovalInput {
  readonly principal: TokenInfo;
  readonly name: string;
  readonly version: number;
  readonly state: 'approved' | 'revoked';
}

/**
 * Approves or revokes one version. A revoked version may be approved again; the store keeps who
 * did it last and the audit log keeps every move. Runs already queued keep going: revocation
 * stops new runs (cancel the queued ones to stop them too).
 */
export async function setDefinitionApproval(deps: Pick<Deps, 'definitions'>, input: DefinitionApprovalInput): Promise<JobDefinition> {
  const def = await deps.definitions.setState(input.name, input.version, { state: input.state, by: input.principal.id });
  if (def === null) throw notFound(`no job definition ${input.name}@${input.version}`);
  return def;
}
