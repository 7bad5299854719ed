import { as } from './database.ts';

/**
 * A hot query, as a named prepared statement (parsed and planned once per connection; on
 * embedded PGlite too, where each in-process connection keeps its own names) or as
 * client-formatted text, for a connection that must not keep named statements (a pooler in
 * transaction mode).
 */
export type Statement = string | { readonly name: string; readonly text: string; readonly values: unknown[] };

export function statement(prepared: boolean, name: string, text: string, values: unknown[]): Statement {
  return prepared ? { name, text, values } : as.format(text, values);
}

export interface StoreOptions {
  /** Use named prepared statements for the hot queries (the stores' default is off). */
  readonly prepared?: boolean;
}
