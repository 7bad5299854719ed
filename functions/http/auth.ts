import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../core/errors.ts';
import type { TokenStore } from '../../core/ports/token-store.ts';
import { denialReason, type Action } from '../../core/roles.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

/** 401 unless the request carries a live bearer token; the bearer is then `c.var.principal`. */
export function authenticate(tokens: TokenStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(header);
    const principal = match?.[1] === undefined ? null : await tokens.verify(match[1]);
    if (principal === null) {
      return errorResponse(c, new AppError('unauthorized', 'a valid bearer token is required'));
    }
    c.set('principal', principal);
    await next();
    return undefined;
  };
}

/** 403 unless the bearer's role may perform `action`; runs before the request is validated. */
export function allow(action: Action): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const reason = denialReason(c.var.principal.role, action);
    if (reason !== null) return errorResponse(c, new AppError('forbidden', reason));
    await next();
    return undefined;
  };
}
