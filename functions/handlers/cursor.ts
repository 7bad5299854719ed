import { invalidInput } from '../../core/errors.ts';
import type { JobCursor } from '../../core/ports/job-store.ts';

/** Opaque to clients: base64url of the last job's (createdAt, id), newest-first keyset. */
function encodeCursor(c: JobCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(text: string): JobCursor {
  const bad = () => invalidInput('query.cursor: not a cursor this API issued', { field: 'query.cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || !/^\d{4}-\d\d-\d\dT/.test(createdAt)) throw bad();
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw bad();
  return { createdAt, id };
}

/** A store's page request: `limit`, and the position after the client's cursor when it sent one. */
export function pageRequest(limit: number, cursor: string | undefined): { limit: number; after?: JobCursor } {
  return cursor === undefined ? { limit } : { limit, after: decodeCursor(cursor) };
}

export function nextCursor(next: JobCursor | null): string | null {
  return next === null ? null : encodeCursor(next);
}
