export { startDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.ts';
export { relayOutbox, type RelayDeps } from './relay-outbox.ts';
export { runClaimedJob, type ActiveRun, type RunDeps } from './run-claimed-job.ts';
export { executionSpecOf } from './execution-spec.ts';
export { createWakeSignal, type WakeSignal } from './wake-signal.ts';
export { reconcile, type ReconcileOptions, type ReconcileReport } from './reconcile.ts';
