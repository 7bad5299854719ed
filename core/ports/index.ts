export * from './job-store.ts';
export * from './log-store.ts';
export * from './token-store.ts';
export * from './readiness.ts';
export * from './task-queue.ts';
export * from './executor.ts';
export * from './dispatch-store.ts';
