import type { AuditActor } from '../../core/ports/audit-log.ts';
import type { TokenInfo } from '../../core/ports/token-store.ts';

/** The audit log's view of a request's bearer: who, never the token. */
export const actorOf = (principal: TokenInfo): AuditActor => ({ tokenId: principal.id, name: principal.name, role: principal.role });
