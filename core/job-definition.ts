import type { Role } from './roles.ts';

/**
 * A job definition: job code pinned by digest, how it starts, which secrets it may receive (per
 * submitter role), which parameters a submitter may set, and the limits of a run. Versions are
 * immutable; only their approval state moves. A contributor may run an approved version only,
 * supplying just the source and parameters (ARCHITECTURE.md, "Trust and secrets").
 */

export const definitionStates = ['pending', 'approved', 'revoked'] as const;
export type DefinitionState = (typeof definitionStates)[number];

/** A parameter a submitter may set; its value becomes the env var of the same name. */
export interface DefinitionParam {
  /** RE2 syntax, matched against the whole value (linear time: see param-pattern.ts). */
  readonly pattern: string;
  readonly default?: string;
  readonly description?: string;
}

/**
 * How the run phase starts. `script`: a path inside the job code, run by the runner; `command`:
 * an argv run in the source directory. Absent: the job code's own `reactorcide_job.*`.
 */
export type DefinitionEntrypoint = { readonly script: string } | { readonly command: readonly string[] };

export interface DefinitionCaps {
  /** Seconds a run may take. */
  readonly timeout: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly priority?: number;
}

/** What a maintainer writes; the store adds the name's next version number. */
export interface DefinitionBody {
  readonly jobCode: { readonly url: string; readonly sha256: string };
  readonly entrypoint?: DefinitionEntrypoint;
  /** Every secret name any run of this definition may receive. */
  readonly secrets: readonly string[];
  /**
   * The secret names a run receives, by the submitter's role. A role not named here gets none:
   * contributors get secrets only when the maintainer listed them for contributors.
   */
  readonly secretsByRole: Readonly<Partial<Record<Role, readonly string[]>>>;
  readonly params: Readonly<Record<string, DefinitionParam>>;
  readonly caps: DefinitionCaps;
  /** Roles that may run it (admins and maintainers submit full specs anyway). */
  readonly roles: readonly Role[];
}

export interface JobDefinition extends DefinitionBody {
  readonly name: string;
  readonly version: number;
  readonly state: DefinitionState;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokedAt: string | null;
}

/** What a job records about the definition it ran; visible in its status and audited. */
export interface DefinitionRef {
  readonly name: string;
  readonly version: number;
  /** sha256 of the job code. */
  readonly digest: string;
  /**
   * True when the submitter's role could run this version only while it is approved (a
   * contributor): the dispatcher checks the approval again just before the run starts.
   */
  readonly requiresApproval?: boolean;
}

export const definitionNamePattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `name@version` → its parts, or null when malformed. */
export function parseDefinitionRef(text: string): { name: string; version: number } | null {
  const m = /^([a-z0-9][a-z0-9._-]{0,62})@([1-9][0-9]{0,8})$/.exec(text);
  return m === null ? null : { name: m[1] ?? '', version: Number(m[2]) };
}

/**
 * The secret names a run by `role` receives: what `secretsByRole` grants that role; a role it
 * does not name gets every secret when it is an admin or maintainer (who could submit a full
 * spec naming them anyway) and none otherwise — contributors only by the maintainer's word.
 */
export function secretsFor(definition: Pick<DefinitionBody, 'secrets' | 'secretsByRole'>, role: Role): readonly string[] {
  const granted = definition.secretsByRole[role];
  if (granted === undefined) return role === 'admin' || role === 'maintainer' ? definition.secrets : [];
  return granted.filter((name) => definition.secrets.includes(name));
}
