import { notFound, unavailable } from '../../core/errors.ts';
import type { SecretInfo, SecretStore } from '../../core/ports/secret-store.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';
import type { Deps } from '../deps.ts';
import { actorOf } from './audit-actor.ts';

function storeOf(deps: Pick<Deps, 'secrets'>): SecretStore {
  if (deps.secrets === undefined) {
    throw unavailable('this server has no master key for secrets: set REACTORCIDE_SECRET_KEYS');
  }
  return deps.secrets;
}

/**
 * Creates or replaces a secret. The value goes to the store and nowhere else: it is not logged,
 * not echoed, not in the audit entry (which names the secret only). The entry commits with the write.
 */
export async function putSecret(
  deps: Pick<Deps, 'secrets'>,
  input: { readonly principal: TokenInfo; readonly name: string; readonly value: string },
): Promise<SecretInfo> {
  return storeOf(deps).put(input.name, input.value, {
    tokenId: input.principal.id,
    audit: { action: 'secret.put', actor: actorOf(input.principal), target: { kind: 'secret', id: input.name }, secretNames: [input.name] },
  });
}

export async function deleteSecret(deps: Pick<Deps, 'secrets'>, input: { readonly principal: TokenInfo; readonly name: string }): Promise<void> {
  const deleted = await storeOf(deps).delete(input.name, {
    audit: { action: 'secret.delete', actor: actorOf(input.principal), target: { kind: 'secret', id: input.name }, secretNames: [input.name] },
  });
  if (!deleted) throw notFound(`no secret ${input.name}`);
}

/**
 * Re-seals every value under the current master key (after a new key was put first in
 * REACTORCIDE_SECRET_KEYS). Values that fail to decrypt are named and left as they are. Recorded
 * once the pages are done: the values themselves do not change, only the key that seals them.
 */
export async function rotateSecrets(
  deps: Pick<Deps, 'secrets' | 'audit'>,
  input: { readonly principal: TokenInfo },
): Promise<{ readonly rotated: number; readonly failed: readonly string[] }> {
  const result = await storeOf(deps).rotate();
  await deps.audit.record({
    action: 'secret.rotate',
    actor: actorOf(input.principal),
    target: { kind: 'secret', id: '*' },
    secretNames: result.failed,
    detail: { rotated: result.rotated, failed: result.failed.length },
  });
  return result;
}

/** Names and metadata; the store has no way to list values. */
export async function listSecrets(deps: Pick<Deps, 'secrets'>): Promise<{ secrets: readonly SecretInfo[] }> {
  return { secrets: await storeOf(deps).list() };
}
