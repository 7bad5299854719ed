/** Where a finished job's log went: one gzip NDJSON object in the ObjectStore. */
export interface LogArchive {
  readonly jobId: string;
  readonly key: string;
  readonly recordCount: number;
  /** One past the last offset the archive holds; records from here on are still live chunks. */
  readonly nextOffset: number;
  readonly size: number;
  readonly sha256: string;
  readonly archivedAt: string;
  /** Set once retention deleted the object; the log is gone. */
  readonly prunedAt: string | null;
}

/** One appended batch of a job's log as archive lines: `{"offset","ts","stream","phase","text"}\n` each. */
export interface NdjsonChunk {
  readonly firstOffset: number;
  readonly recordCount: number;
  /** The records as NDJSON, byte for byte what JSON.stringify gives, each line ending in `\n`. */
  readonly ndjson: string;
}

/**
 * The database side of log archiving: which jobs are due, their live chunks page by page, and
 * the one step that records an archive and drops the chunks it covers. The object itself is
 * written through the ObjectStore by functions/archive.
 */
export interface LogArchiveStore {
  /** The job's archive record, or null while its log is live. */
  get(jobId: string): Promise<LogArchive | null>;
  /** Ended jobs (finished before `finishedBefore`) without an archive, longest ended first. */
  due(finishedBefore: Date, limit: number): Promise<string[]>;
  /**
   * Up to `limit` chunks of the job whose first offset is at least `fromOffset`, in order,
   * rendered as NDJSON by the database (which spares the archiver parsing and re-encoding).
   */
  chunks(jobId: string, fromOffset: number, limit: number): Promise<NdjsonChunk[]>;
  /**
   * Records the archive and deletes the chunks it wholly covers, in one statement; a chunk
   * appended after the archive was cut stays live. Resolves to the archive as recorded and how
   * many chunks were deleted.
   */
  commit(archive: Omit<LogArchive, 'archivedAt' | 'prunedAt'>): Promise<{ readonly archive: LogArchive; readonly deletedChunks: number }>;
  /** Archives not yet pruned that were written before `archivedBefore`, oldest first. */
  prunable(archivedBefore: Date, limit: number): Promise<LogArchive[]>;
  markPruned(jobId: string): Promise<void>;
}
