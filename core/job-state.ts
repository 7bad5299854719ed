/**
 * A job's lifecycle: queued → (waiting) → starting → running → one terminal state. An attempt
 * that its retry policy retries goes back to queued with the next attempt instead of ending the
 * job (functions/dispatch/settle-attempt.ts).
 * `failed` is the job's own non-zero exit; `errored` is the system's fault (fetch failure, image
 * pull, lost executor). The two are never conflated. Terminal states never change again.
 */
export const jobStates = [
  'queued',
  'waiting',
  'starting',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'errored',
] as const;
export type JobState = (typeof jobStates)[number];

export const terminalStates = ['succeeded', 'failed', 'cancelled', 'timed_out', 'errored'] as const;
export type TerminalState = (typeof terminalStates)[number];

export function isTerminal(state: JobState): state is TerminalState {
  return (terminalStates as readonly string[]).includes(state);
}

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (jobStates as readonly string[]).includes(value);
}
