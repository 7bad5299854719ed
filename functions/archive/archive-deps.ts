import type { JobStore } from '../../core/ports/job-store.ts';
import type { LogArchiveStore } from '../../core/ports/log-archive-store.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';

/** What archiving needs: the job's state, the chunk/archive index, and where objects go. */
export interface ArchiveDeps {
  readonly jobs: Pick<JobStore, 'get'>;
  readonly archives: LogArchiveStore;
  readonly objects: ObjectStore;
}
