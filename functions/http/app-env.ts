import type { TokenInfo } from '../../core/ports/token-store.ts';

/** What middleware hands to route handlers within one request; nothing outlives the request. */
export interface AppEnv {
  Variables: {
    principal: TokenInfo;
  };
}
