import type { DefinitionBody, JobDefinition } from '../job-definition.ts';

export interface CreateDefinitionInput {
  readonly name: string;
  readonly body: DefinitionBody;
  /** The token that wrote it. */
  readonly createdBy: string | null;
}

/**
 * Job definitions by name and version. `create` writes the name's next version (1 for a new
 * name); a written version never changes except for its approval state, and the store audits
 * every create, approval and revocation in the same transaction.
 */
export interface DefinitionStore {
  create(input: CreateDefinitionInput): Promise<JobDefinition>;
  get(name: string, version: number): Promise<JobDefinition | null>;
  /** Newest first; every version of `name` when given, else every definition's versions. */
  list(filter: { readonly name?: string; readonly limit: number }): Promise<readonly JobDefinition[]>;
  /**
   * Moves a version to `approved` (from pending or revoked) or `revoked` (from either other
   * state). Null for an unknown version; the same state again changes nothing.
   */
  setState(name: string, version: number, input: { readonly state: 'approved' | 'revoked'; readonly by: string | null }): Promise<JobDefinition | null>;
}
