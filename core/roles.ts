/**
 * Who may do what. A token carries one role; each route names the action it performs and the
 * table below decides. Contributors exist to run approved job definitions against untrusted
 * source (the trust model): they may upload a source tarball, run a definition, and read and
 * cancel their own jobs only (`seesEveryJob`); a full job spec is for maintainers and admins.
 */
export const roles = ['admin', 'maintainer', 'contributor', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const actions = [
  'jobs:read',
  'jobs:submit',
  'jobs:cancel',
  'tokens:create',
  'blobs:upload',
  'definitions:read',
  'definitions:write',
  'definitions:run',
  'secrets:manage',
  'audit:read',
] as const;
export type Action = (typeof actions)[number];

const allowed: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  admin: ['jobs:read', 'jobs:submit', 'jobs:cancel', 'tokens:create', 'blobs:upload', 'definitions:read', 'definitions:write', 'definitions:run', 'secrets:manage', 'audit:read'],
  maintainer: ['jobs:read', 'jobs:submit', 'jobs:cancel', 'blobs:upload', 'definitions:read', 'definitions:write', 'definitions:run'],
  contributor: ['jobs:read', 'jobs:cancel', 'blobs:upload', 'definitions:read', 'definitions:run'],
  viewer: ['jobs:read', 'definitions:read'],
});

/** Why a role may not perform an action, or null when it may. The reason is shown to the caller. */
export function denialReason(role: Role, action: Action): string | null {
  if (allowed[role].includes(action)) return null;
  if (role === 'contributor' && action === 'jobs:submit') {
    return 'contributors may only run approved job definitions';
  }
  return `role ${role} may not perform ${action}`;
}

/**
 * Contributors see and cancel only the jobs their own token submitted: a pull request's author
 * has no business reading another's logs. Every other role sees every job.
 */
export function seesEveryJob(role: Role): boolean {
  return role !== 'contributor';
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
