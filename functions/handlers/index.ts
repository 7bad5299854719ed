export * from './submit-job.ts';
export * from './get-job.ts';
export * from './list-jobs.ts';
export * from './cancel-job.ts';
export * from './read-logs.ts';
export * from './create-token.ts';
export * from './check-readiness.ts';
export * from './cursor.ts';
