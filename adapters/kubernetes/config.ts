/**
 * The Kubernetes executor's settings, read once from the dispatcher's environment, validated and
 * frozen. Only the composition root calls `parseKubernetesConfig`; the executor receives the
 * result. Every variable is listed in the README's configuration table.
 */
import { invalidInput } from '../../core/errors.ts';
import { parseQuantity } from './quantity.ts';

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** An env var every job gets from a Secret that already exists in the job namespace. */
export interface SecretRef {
  readonly env: string;
  readonly secret: string;
  readonly key: string;
}

export interface ResourceDefaults {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface KubernetesConfig {
  /** Where Jobs, their pods and per-job Secrets live. */
  readonly namespace: string;
  /** A kubeconfig file; without it the in-cluster service account (or $KUBECONFIG) is used. */
  readonly kubeconfigPath: string | undefined;
  /** Image for jobs that name none; it must hold the runner (see Dockerfile.runner). */
  readonly runnerImage: string;
  /** Overrides the image's entrypoint; the runner image's is `tini -- reactorcide run`. */
  readonly runnerCommand: readonly string[] | undefined;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never' | undefined;
  readonly imagePullSecrets: readonly string[];
  /** Jobs get this service account's token mounted; without it, no token at all. */
  readonly serviceAccount: string | undefined;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly secretRefs: readonly SecretRef[];
  /** Used when a job asks for nothing; both requests and limits. */
  readonly defaultResources: ResourceDefaults;
  /** A job asking for more is refused (`errored`) before anything is created. */
  readonly maxResources: ResourceDefaults;
  /** How long a finished Job (and its logs) stays before Kubernetes deletes it. */
  readonly ttlSecondsAfterFinished: number;
  /** A pod not running after this long (unschedulable, stuck pulling) is `errored`. */
  readonly pendingTimeoutSeconds: number;
  /** Pod grace on cancel: the runner's kill grace plus cleanup time, with a margin. */
  readonly terminationGraceSeconds: number;
  /** Size limit of the emptyDir workspace, e.g. `10Gi`; none by default. */
  readonly workspaceSizeLimit: string | undefined;
}

export const kubernetesEnv = {
  namespace: 'REACTORCIDE_K8S_NAMESPACE',
  kubeconfig: 'REACTORCIDE_K8S_KUBECONFIG',
  runnerImage: 'REACTORCIDE_K8S_RUNNER_IMAGE',
  runnerCommand: 'REACTORCIDE_K8S_RUNNER_COMMAND',
  imagePullPolicy: 'REACTORCIDE_K8S_IMAGE_PULL_POLICY',
  imagePullSecrets: 'REACTORCIDE_K8S_IMAGE_PULL_SECRETS',
  serviceAccount: 'REACTORCIDE_K8S_SERVICE_ACCOUNT',
  nodeSelector: 'REACTORCIDE_K8S_NODE_SELECTOR',
  tolerations: 'REACTORCIDE_K8S_TOLERATIONS',
  secretRefs: 'REACTORCIDE_K8S_SECRET_REFS',
  defaultCpu: 'REACTORCIDE_K8S_DEFAULT_CPU',
  defaultMemory: 'REACTORCIDE_K8S_DEFAULT_MEMORY',
  maxCpu: 'REACTORCIDE_K8S_MAX_CPU',
  maxMemory: 'REACTORCIDE_K8S_MAX_MEMORY',
  ttl: 'REACTORCIDE_K8S_TTL_SECONDS',
  pendingTimeout: 'REACTORCIDE_K8S_PENDING_TIMEOUT_SECONDS',
  terminationGrace: 'REACTORCIDE_K8S_TERMINATION_GRACE_SECONDS',
  workspaceSizeLimit: 'REACTORCIDE_K8S_WORKSPACE_SIZE_LIMIT',
} as const;

type Env = Readonly<Record<string, string | undefined>>;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseKubernetesConfig(env: Env): KubernetesConfig {
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const json = (name: string): unknown => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      throw invalidInput(`${name} must be JSON, got ${JSON.stringify(raw)}`);
    }
  };
  const seconds = (name: string, fallback: number, min = 0): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw invalidInput(`${name} must be a whole number of seconds ≥ ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const quantity = (name: string): string | undefined => {
    const raw = get(name);
    if (raw !== undefined) parseQuantity(raw, name);
    return raw;
  };
  const list = (name: string): string[] => (get(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

  const namespace = get(kubernetesEnv.namespace) ?? 'default';
  if (!dnsLabel.test(namespace) || namespace.length > 63) throw invalidInput(`${kubernetesEnv.namespace} must be a namespace name, got ${JSON.stringify(namespace)}`);
  const runnerImage = get(kubernetesEnv.runnerImage);
  if (runnerImage === undefined) throw invalidInput(`${kubernetesEnv.runnerImage} must name the runner image (e.g. ghcr.io/you/reactorcide-runner:0.1.0)`);

  const command = json(kubernetesEnv.runnerCommand);
  if (command !== undefined && (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === 'string'))) {
    throw invalidInput(`${kubernetesEnv.runnerCommand} must be a non-empty JSON array of strings`);
  }
  const pullPolicy = get(kubernetesEnv.imagePullPolicy);
  if (pullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) {
    throw invalidInput(`${kubernetesEnv.imagePullPolicy} must be Always, IfNotPresent or Never, got ${JSON.stringify(pullPolicy)}`);
  }
  const pullSecrets = list(kubernetesEnv.imagePullSecrets);
  const serviceAccount = get(kubernetesEnv.serviceAccount);
  for (const name of [...pullSecrets, ...(serviceAccount ? [serviceAccount] : [])]) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw invalidInput(`${kubernetesEnv.imagePullSecrets} / ${kubernetesEnv.serviceAccount}: ${JSON.stringify(name)} is not a valid object name`);
  }

  const nodeSelector = json(kubernetesEnv.nodeSelector) ?? {};
  if (typeof nodeSelector !== 'object' || nodeSelector === null || Array.isArray(nodeSelector) || !Object.values(nodeSelector).every((v) => typeof v === 'string')) {
    throw invalidInput(`${kubernetesEnv.nodeSelector} must be a JSON object of strings, e.g. {"pool":"ci"}`);
  }
  const tolerations = json(kubernetesEnv.tolerations) ?? [];
  if (!Array.isArray(tolerations) || !tolerations.every(isToleration)) {
    throw invalidInput(`${kubernetesEnv.tolerations} must be a JSON array of tolerations, e.g. [{"key":"ci","operator":"Exists","effect":"NoSchedule"}]`);
  }
  const secretRefs = list(kubernetesEnv.secretRefs).map((item): SecretRef => {
    const m = /^([^=]+)=([a-z0-9][-a-z0-9.]*):(.+)$/.exec(item);
    if (!m || !envName.test(m[1] as string)) throw invalidInput(`${kubernetesEnv.secretRefs} items must be ENV=secret-name:key, got ${JSON.stringify(item)}`);
    return Object.freeze({ env: m[1] as string, secret: m[2] as string, key: m[3] as string });
  });

  return Object.freeze({
    namespace,
    kubeconfigPath: get(kubernetesEnv.kubeconfig),
    runnerImage,
    runnerCommand: command === undefined ? undefined : Object.freeze([...(command as string[])]),
    imagePullPolicy: pullPolicy as KubernetesConfig['imagePullPolicy'],
    imagePullSecrets: Object.freeze(pullSecrets),
    serviceAccount,
    nodeSelector: Object.freeze({ ...(nodeSelector as Record<string, string>) }),
    tolerations: Object.freeze(tolerations as Toleration[]),
    secretRefs: Object.freeze(secretRefs),
    defaultResources: Object.freeze(clean({ cpu: quantity(kubernetesEnv.defaultCpu), memory: quantity(kubernetesEnv.defaultMemory) })),
    maxResources: Object.freeze(clean({ cpu: quantity(kubernetesEnv.maxCpu), memory: quantity(kubernetesEnv.maxMemory) })),
    ttlSecondsAfterFinished: seconds(kubernetesEnv.ttl, 3600),
    pendingTimeoutSeconds: seconds(kubernetesEnv.pendingTimeout, 300, 1),
    terminationGraceSeconds: seconds(kubernetesEnv.terminationGrace, 45),
    workspaceSizeLimit: quantity(kubernetesEnv.workspaceSizeLimit),
  });
}

function clean(r: { cpu: string | undefined; memory: string | undefined }): ResourceDefaults {
  return { ...(r.cpu ? { cpu: r.cpu } : {}), ...(r.memory ? { memory: r.memory } : {}) };
}

function isToleration(v: unknown): v is Toleration {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  const str = (k: string): boolean => t[k] === undefined || typeof t[k] === 'string';
  return str('key') && str('value') && (t.operator === undefined || t.operator === 'Exists' || t.operator === 'Equal') &&
    (t.effect === undefined || ['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect as string)) &&
    (t.tolerationSeconds === undefined || Number.isInteger(t.tolerationSeconds));
}
