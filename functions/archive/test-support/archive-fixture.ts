import { createPgJobStore } from '../../../adapters/postgres/job-store.ts';
import { createPgLogArchiveStore } from '../../../adapters/postgres/log-archive-store.ts';
import { createPgLogStore } from '../../../adapters/postgres/log-store.ts';
import { sampleSpec } from '../../../adapters/postgres/test-support/store-contract.ts';
import type { Db } from '../../../adapters/postgres/database.ts';
import type { LogRecord } from '../../../core/log-record.ts';
import type { JobStore } from '../../../core/ports/job-store.ts';
import type { LogStore } from '../../../core/ports/log-store.ts';
import type { ObjectStore } from '../../../core/ports/object-store.ts';
import { readLogs } from '../../handlers/read-logs.ts';
import type { ArchiveDeps } from '../archive-deps.ts';

export interface ArchiveFixture extends ArchiveDeps {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly db: Db;
}

export function archiveFixture(db: Db, objects: ObjectStore, options = { prepared: true }): ArchiveFixture {
  return { db, objects, jobs: createPgJobStore(db, options), logs: createPgLogStore(db), archives: createPgLogArchiveStore(db) };
}

export const rec = (text: string, stream: LogRecord['stream'] = 'stdout'): LogRecord => ({
  ts: new Date().toISOString(),
  stream,
  phase: 'run',
  text,
});

/** A job with `batches` appended as chunks, left running (or ended when `end` says so). */
export async function jobWithLog(f: ArchiveFixture, batches: readonly (readonly LogRecord[])[], end = true): Promise<string> {
  const { job } = await f.jobs.submit({ spec: sampleSpec(), submittedBy: null });
  await f.jobs.transition(job.id, { to: 'running' });
  for (const b of batches) await f.logs.append(job.id, b);
  if (end) await f.jobs.transition(job.id, { to: 'succeeded', exitCode: 0 });
  return job.id;
}

/** What the logs route would send, through the real handler: every record from `offset`. */
export async function readAll(f: ArchiveFixture, jobId: string, offset = 0, follow = false) {
  const deps = { ...f, settings: { maxBodyBytes: 1 << 20, followPollMs: 10 }, storage: { store: f.objects, urlOf: (k: string) => k } };
  const out = [];
  for await (const batch of await readLogs(deps, { id: jobId, offset, follow })) out.push(...batch);
  return out;
}

export const chunkCount = async (db: Db, jobId: string): Promise<number> =>
  Number((await db.one<{ n: string }>('SELECT count(*) AS n FROM job_log_chunks WHERE job_id = $1', [jobId])).n);
