/** JobWaits over rc_job_wait (migration 0007): the same rules the database admits jobs by. */
import { noWait, type JobWaits } from '../../core/ports/job-waits.ts';
import type { Db } from './database.ts';
import { pgCall } from './pg-errors.ts';

export function createPgJobWaits(db: Db): JobWaits {
  return {
    of: (jobId) =>
      pgCall(async () => {
        const row = await db.oneOrNone<{ queue_position: number | null; waiting_reason: string | null }>(
          'SELECT queue_position, waiting_reason FROM rc_job_wait($1::uuid)',
          [jobId],
        );
        return row === null ? noWait : { queuePosition: row.queue_position, waitingReason: row.waiting_reason };
      }),
  };
}
