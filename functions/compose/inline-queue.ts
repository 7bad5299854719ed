import { createWakeupHub, pgInlineEnqueue, type WakeupHub } from '../../adapters/pgqueue/index.ts';
import type { InlineEnqueue } from '../../adapters/postgres/inline-enqueue.ts';
import type { ServerConfig } from './config.ts';
import type { DispatcherConfig } from './dispatcher-config.ts';

export interface InlineQueue {
  /** For the API's JobStore: a submit enqueues its job's task itself. */
  readonly inlineEnqueue: InlineEnqueue;
  /** For the dispatcher's queue: woken in-process as a submit commits. */
  readonly hub: WakeupHub;
}

/**
 * `serve` with its own dispatcher on the Postgres queue (no Corndogs): the queue's table is in
 * the jobs' database, so a submit writes its task in its own statement instead of an outbox row
 * for the relay (three fewer round trips a job). Anything else keeps the outbox: an API on its
 * own cannot know which queue the dispatchers take jobs from.
 */
export function inlineQueueFor(config: Pick<ServerConfig, 'databaseUrl'>, dispatcher: Pick<DispatcherConfig, 'enabled' | 'corndogsAddress'>): InlineQueue | undefined {
  if (!dispatcher.enabled || dispatcher.corndogsAddress !== null) return undefined;
  const hub = createWakeupHub();
  // On a shared database other dispatchers listen for the queue's NOTIFY.
  return { hub, inlineEnqueue: pgInlineEnqueue({ hub, notify: config.databaseUrl !== null }) };
}
