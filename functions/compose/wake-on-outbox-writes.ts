/**
 * A JobStore that tells a dispatcher in the same process when it wrote an outbox row (a submit, a
 * cancel), so the dispatcher relays it at once instead of at its next poll. Only the in-process
 * shortcut: submits through other API replicas are still found by the relay's poll.
 *
 * With `inlineEnqueue` a submit writes its task, not an outbox row; only one with dependencies or
 * a concurrency group can still write some (its admission's `release`, a superseded job's
 * `cancel`), so only those wake the relay.
 */
import type { JobStore } from '../../core/ports/job-store.ts';

export function wakeOnOutboxWrites(jobs: JobStore, wake: () => void, options: { readonly inlineEnqueue?: boolean } = {}): JobStore {
  return {
    ...jobs,
    submit: async (input) => {
      const result = await jobs.submit(input);
      const mayWriteOutbox = options.inlineEnqueue !== true || input.spec.dependsOn.length > 0 || input.spec.concurrency !== undefined;
      if (!result.replayed && mayWriteOutbox) wake();
      return result;
    },
    requestCancel: async (...args) => {
      const job = await jobs.requestCancel(...args);
      wake();
      return job;
    },
  };
}
