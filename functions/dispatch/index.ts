export { startDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.ts';
export { relayOutbox, type RelayDeps } from './relay-outbox.ts';
export { runClaimedJob, type ActiveRun, type RunDeps } from './run-claimed-job.ts';
export { executionSpecOf } from './execution-spec.ts';
