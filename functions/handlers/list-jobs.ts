import { invalidInput } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import { isJobState, type JobState } from '../../core/job-state.ts';
import type { JobFilter } from '../../core/ports/job-store.ts';
import type { Deps } from '../deps.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface ListJobsInput {
  readonly state?: string | readonly string[] | undefined;
  readonly label?: string | readonly string[] | undefined;
  readonly name?: string | undefined;
  readonly createdAfter?: string | undefined;
  readonly createdBefore?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

const asList = (v: string | readonly string[] | undefined): string[] =>
  (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]).flatMap((s) => s.split(',')).filter((s) => s !== '');

/** Newest first; the cursor is a keyset position, so jobs inserted meanwhile never shift a page. */
export async function listJobs(
  deps: Pick<Deps, 'jobs'>,
  input: ListJobsInput,
): Promise<{ jobs: readonly Job[]; nextCursor: string | null }> {
  const states = asList(input.state).map((s): JobState => {
    if (!isJobState(s)) throw invalidInput(`query.state: unknown state ${JSON.stringify(s)}`, { field: 'query.state' });
    return s;
  });
  const labels: Record<string, string> = {};
  for (const pair of asList(input.label)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidInput('query.label: must be key=value', { field: 'query.label' });
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const filter: JobFilter = {
    ...(states.length > 0 ? { states } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.createdAfter !== undefined ? { createdAfter: input.createdAfter } : {}),
    ...(input.createdBefore !== undefined ? { createdBefore: input.createdBefore } : {}),
  };
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const page = await deps.jobs.list(filter, after === undefined ? { limit: input.limit } : { limit: input.limit, after });
  return { jobs: page.jobs, nextCursor: page.next === null ? null : encodeCursor(page.next) };
}
