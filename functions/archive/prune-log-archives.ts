import type { ArchiveDeps } from './archive-deps.ts';

/**
 * Retention: deletes archives written before `olderThan`, the object first and then marks the
 * row pruned (kept, so the job is not archived again as an empty log). A delete that fails
 * throws and leaves the rest for the next call. Returns how many were pruned.
 */
export async function pruneLogArchives(
  deps: Pick<ArchiveDeps, 'archives' | 'objects'>,
  olderThan: Date,
  options: { readonly limit?: number } = {},
): Promise<number> {
  const limit = options.limit ?? 500;
  let pruned = 0;
  for (;;) {
    const batch = await deps.archives.prunable(olderThan, Math.min(100, limit - pruned));
    for (const archive of batch) {
      await deps.objects.delete(archive.key);
      await deps.archives.markPruned(archive.jobId);
      pruned++;
    }
    if (batch.length === 0 || pruned >= limit) return pruned;
  }
}
