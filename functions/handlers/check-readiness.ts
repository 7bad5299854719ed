import { AppError } from '../../core/errors.ts';
import type { SchemaStatus } from '../../core/ports/readiness.ts';
import type { Deps } from '../deps.ts';

/** Ready when the database answers and holds every migration this code ships (and no newer). */
export async function checkReadiness(deps: Pick<Deps, 'readiness'>): Promise<SchemaStatus> {
  const status = await deps.readiness.schemaStatus();
  if (status.applied < status.expected) {
    throw new AppError('unavailable', `database schema is behind: ${status.applied} of ${status.expected} migrations applied`);
  }
  if (status.applied > status.expected) {
    throw new AppError('unavailable', `database schema ${status.applied} is newer than this code (${status.expected})`);
  }
  return status;
}
