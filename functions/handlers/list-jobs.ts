import { invalidInput } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import { isJobState, type JobState } from '../../core/job-state.ts';
import type { JobFilter } from '../../core/ports/job-store.ts';
import type { Deps } from '../deps.ts';
import { nextCursor, pageRequest } from './cursor.ts';
import { queryList } from './query-list.ts';

export interface ListJobsInput {
  readonly state?: string | readonly string[] | undefined;
  readonly label?: string | readonly string[] | undefined;
  readonly name?: string | undefined;
  readonly createdAfter?: string | undefined;
  readonly createdBefore?: string | undefined;
  /** A job id: only its children. */
  readonly parent?: string | undefined;
  /** A token id: only the jobs it submitted (set by the API for contributors, not by the client). */
  readonly submittedBy?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Newest first; the cursor is a keyset position, so jobs inserted meanwhile never shift a page. */
export async function listJobs(
  deps: Pick<Deps, 'jobs'>,
  input: ListJobsInput,
): Promise<{ jobs: readonly Job[]; nextCursor: string | null }> {
  const states = queryList(input.state).map((s): JobState => {
    if (!isJobState(s)) throw invalidInput(`query.state: unknown state ${JSON.stringify(s)}`, { field: 'query.state' });
    return s;
  });
  const labels: Record<string, string> = {};
  for (const pair of queryList(input.label)) {
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
    ...(input.parent !== undefined ? { parentId: input.parent } : {}),
    ...(input.submittedBy !== undefined ? { submittedBy: input.submittedBy } : {}),
  };
  const page = await deps.jobs.list(filter, pageRequest(input.limit, input.cursor));
  return { jobs: page.jobs, nextCursor: nextCursor(page.next) };
}
