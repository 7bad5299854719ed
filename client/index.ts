export { createClient, type ClientOptions, type ReactorcideClient, type CallOptions, type SubmitOptions, type WaitOptions } from './create-client.ts';
export { ClientError, type ClientErrorCode } from './client-error.ts';
export type { FollowOptions } from './follow-logs.ts';
export type * from './types.ts';
export { isTerminal } from '../core/job-state.ts';
