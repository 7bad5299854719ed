/**
 * Who may do what. A token carries one role; each route names the action it performs and the
 * table below decides. Contributors exist to run approved job definitions against untrusted
 * source (the trust model); until definitions exist they may read but not submit.
 */
export const roles = ['admin', 'maintainer', 'contributor', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const actions = ['jobs:read', 'jobs:submit', 'jobs:cancel', 'tokens:create'] as const;
export type Action = (typeof actions)[number];

const allowed: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  admin: ['jobs:read', 'jobs:submit', 'jobs:cancel', 'tokens:create'],
  maintainer: ['jobs:read', 'jobs:submit', 'jobs:cancel'],
  contributor: ['jobs:read'],
  viewer: ['jobs:read'],
});

/** Why a role may not perform an action, or null when it may. The reason is shown to the caller. */
export function denialReason(role: Role, action: Action): string | null {
  if (allowed[role].includes(action)) return null;
  if (role === 'contributor' && action === 'jobs:submit') {
    return 'contributors may only run approved job definitions';
  }
  return `role ${role} may not perform ${action}`;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
