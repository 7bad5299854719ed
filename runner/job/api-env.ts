/**
 * The two variables through which a job reaches the API: set by the executor for a run the
 * dispatcher started, passed through by the runner to the job (they are not the runner's own
 * settings), read by `submitJob` and `waitFor`. The token is a secret the runner masks.
 */
export const jobApiEnv = Object.freeze({
  url: 'REACTORCIDE_API_URL',
  token: 'REACTORCIDE_JOB_TOKEN',
} as const);

/**
 * What a run keeps secret, by name: the secrets it was given and, when it has API access, its job
 * token. Executors mask these in everything they report and hand them to the runner as secrets.
 */
export function runSecrets(spec: {
  readonly secrets: Readonly<Record<string, string>>;
  readonly api?: { readonly token: string } | undefined;
}): Record<string, string> {
  return { ...spec.secrets, ...(spec.api ? { [jobApiEnv.token]: spec.api.token } : {}) };
}
