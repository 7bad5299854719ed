export type { ArchiveDeps } from './archive-deps.ts';
export { archiveJobLog, type ArchiveOutcome } from './archive-job-log.ts';
export { archiveDueLogs, findLogsDueForArchive, type ArchivePassOptions, type ArchivePassResult } from './archive-due-logs.ts';
export { pruneLogArchives } from './prune-log-archives.ts';
export { readLogArchive } from './read-log-archive.ts';
export { logArchiveKey, decodeArchive, encodeArchiveLine } from './archive-format.ts';
