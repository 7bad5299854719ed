import type { TokenInfo } from '../../core/ports/token-store.ts';
import type { Role } from '../../core/roles.ts';
import type { Deps } from '../deps.ts';
import { actorOf } from './audit-actor.ts';

export interface CreateTokenInput {
  readonly principal: TokenInfo | null;
  readonly name: string;
  readonly role: Role;
  readonly expiresInSeconds?: number | undefined;
  readonly now?: Date;
}

/** The clear token exists only in this result; the store keeps its hash. */
export async function createToken(
  deps: Pick<Deps, 'tokens'>,
  input: CreateTokenInput,
): Promise<TokenInfo & { readonly token: string }> {
  const now = input.now ?? new Date();
  const expiresAt =
    input.expiresInSeconds === undefined ? null : new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString();
  const { token, info } = await deps.tokens.create({
    name: input.name,
    role: input.role,
    expiresAt,
    createdBy: input.principal?.id ?? null,
    // Without a principal the CLI made it (the first admin token): the system is the actor.
    audit: {
      action: 'token.create',
      actor: input.principal === null ? null : actorOf(input.principal),
      target: { kind: 'token', id: '' },
      detail: { name: input.name, role: input.role, expiresAt },
    },
  });
  return { ...info, token };
}

export async function revokeToken(deps: Pick<Deps, 'tokens'>, input: { readonly id: string; readonly principal?: TokenInfo }): Promise<boolean> {
  return deps.tokens.revoke(input.id, {
    action: 'token.revoke',
    actor: input.principal === undefined ? null : actorOf(input.principal),
    target: { kind: 'token', id: input.id },
  });
}
