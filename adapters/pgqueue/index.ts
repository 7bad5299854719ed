export { createPgTaskQueue, type PgTaskQueue, type PgTaskQueueOptions } from './pg-task-queue.ts';
export { createWakeupHub, type WakeupHub } from './wakeup-hub.ts';
