export { createPgTaskQueue, type PgTaskQueue, type PgTaskQueueOptions } from './pg-task-queue.ts';
export { createWakeupHub, type WakeupHub } from './wakeup-hub.ts';
export { startPgListener, type PgListener, type PgListenerOptions } from './pg-listener.ts';
export { pgInlineEnqueue, type PgInlineEnqueueOptions } from './inline-enqueue.ts';
export { fencedCompleteCte } from './pg-task-queue-sql.ts';
