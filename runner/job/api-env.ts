/**
 * The two variables through which a job reaches the API: set by the executor for a run the
 * dispatcher started, passed through by the runner to the job (they are not the runner's own
 * settings), read by `submitJob` and `waitFor`. The token is a secret the runner masks.
 */
export const jobApiEnv = Object.freeze({
  url: 'REACTORCIDE_API_URL',
  token: 'REACTORCIDE_JOB_TOKEN',
} as const);
