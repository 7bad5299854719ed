import { as } from './database.ts';

/**
 * A hot query, as a named prepared statement on real Postgres (parsed and planned once per
 * connection) or as client-formatted text where named statements cannot be used: PGlite behind
 * embedded PGlite is a single session shared by every connection of the pool, so a statement one
 * connection prepares would collide with the next connection preparing the same name.
 */
export type Statement = string | { readonly name: string; readonly text: string; readonly values: unknown[] };

export function statement(prepared: boolean, name: string, text: string, values: unknown[]): Statement {
  return prepared ? { name, text, values } : as.format(text, values);
}

export interface StoreOptions {
  /** Use named prepared statements for the hot queries; off for embedded PGlite. */
  readonly prepared?: boolean;
}
