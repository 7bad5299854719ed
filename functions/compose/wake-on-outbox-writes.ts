/**
 * A JobStore that tells a dispatcher in the same process when it wrote an outbox row (a submit, a
 * cancel), so the dispatcher relays it at once instead of at its next poll. Only the in-process
 * shortcut: submits through other API replicas are still found by the relay's poll.
 */
import type { JobStore } from '../../core/ports/job-store.ts';

export function wakeOnOutboxWrites(jobs: JobStore, wake: () => void): JobStore {
  return {
    ...jobs,
    submit: async (input) => {
      const result = await jobs.submit(input);
      if (!result.replayed) wake();
      return result;
    },
    requestCancel: async (...args) => {
      const job = await jobs.requestCancel(...args);
      wake();
      return job;
    },
  };
}
