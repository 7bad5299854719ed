export * from './errors.ts';
export * from './job-state.ts';
export * from './phases.ts';
export * from './log-record.ts';
