/**
 * The Kubernetes objects for one run: a batch/v1 Job whose single pod runs the runner, and the
 * per-job Secret holding the job's secret values. Secret values never appear in the pod spec:
 * the container names them through `secretKeyRef`, and the Secret is owned by the Job (the
 * executor sets the owner reference once the Job has a uid), so deleting the Job deletes it.
 */
import type { V1Job, V1Secret, V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';
import { invalidInput } from '../../core/errors.ts';
import type { ExecutionSpec } from '../../core/ports/executor.ts';
import { runSecrets } from '../../runner/job/api-env.ts';
import { runnerEnv } from '../process/runner-env.ts';
import type { KubernetesConfig } from './config.ts';
import { attemptAnnotation, containerName, jobIdAnnotation, jobIdLabel, labels, managedBy } from './names.ts';
import { parseQuantity } from './quantity.ts';

/** Where the pod's emptyDir is mounted; the runner's work dir and HOME live under it. */
export const workspacePath = '/workspace';
const runAsId = 10001;

export interface JobManifests {
  readonly job: V1Job;
  /** Absent when the job has no secrets of its own. */
  readonly secret: V1Secret | undefined;
}

export interface ManifestOptions {
  readonly name: string;
  /** Operator-level runner settings (REACTORCIDE_S3_ENDPOINT, …) every job gets. */
  readonly runnerSettings?: Readonly<Record<string, string>>;
}

export function buildManifests(spec: ExecutionSpec, config: KubernetesConfig, options: ManifestOptions): JobManifests {
  const { name } = options;
  const objectLabels = { [labels.managedBy]: managedBy, [labels.component]: 'job', [labels.jobId]: jobIdLabel(spec.jobId) };
  const metadata = { name, namespace: config.namespace, labels: objectLabels, annotations: { [jobIdAnnotation]: spec.jobId, [attemptAnnotation]: String(spec.attempt ?? 1) } };

  // runnerEnv refuses REACTORCIDE_* names in the job's env and secrets, so a job cannot steer the runner.
  const plain = runnerEnv(spec, { workDir: `${workspacePath}/work`, inherit: {}, passThrough: [] });
  // The job token travels like the job's secrets: in the per-job Secret, never in the pod spec.
  const secretValues = runSecrets(spec);
  for (const secretName of Object.keys(secretValues)) delete plain[secretName];
  const secretNames = [...Object.keys(secretValues), ...config.secretRefs.map((r) => r.env)];
  Object.assign(plain, options.runnerSettings, {
    HOME: workspacePath,
    TMPDIR: '/tmp',
    // A pod has no stdin to hold open: the runner is stopped by SIGTERM when its Job is deleted.
    REACTORCIDE_STOP_ON_STDIN_END: 'false',
  });
  if (secretNames.length > 0) plain.REACTORCIDE_SECRET_NAMES = secretNames.join(',');
  else delete plain.REACTORCIDE_SECRET_NAMES;

  const env: V1EnvVar[] = [
    ...Object.entries(plain).sort(([a], [b]) => a.localeCompare(b)).map(([n, value]) => ({ name: n, value })),
    ...Object.keys(secretValues).map((n) => ({ name: n, valueFrom: { secretKeyRef: { name, key: n } } })),
    ...config.secretRefs.map((r) => ({ name: r.env, valueFrom: { secretKeyRef: { name: r.secret, key: r.key } } })),
  ];

  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      backoffLimit: 0, // retries are the dispatcher's, which knows errored from failed
      completions: 1,
      parallelism: 1,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      ...(spec.timeoutSeconds > 0 ? { activeDeadlineSeconds: spec.timeoutSeconds } : {}),
      template: {
        metadata: { labels: objectLabels, annotations: { [jobIdAnnotation]: spec.jobId } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: config.serviceAccount !== undefined,
          ...(config.serviceAccount ? { serviceAccountName: config.serviceAccount } : {}),
          enableServiceLinks: false,
          terminationGracePeriodSeconds: config.terminationGraceSeconds,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: runAsId,
            runAsGroup: runAsId,
            fsGroup: runAsId,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(Object.keys(config.nodeSelector).length > 0 ? { nodeSelector: { ...config.nodeSelector } } : {}),
          ...(config.tolerations.length > 0 ? { tolerations: config.tolerations.map((t) => ({ ...t })) } : {}),
          ...(config.imagePullSecrets.length > 0 ? { imagePullSecrets: config.imagePullSecrets.map((n) => ({ name: n })) } : {}),
          containers: [
            {
              name: containerName,
              image: spec.image ?? config.runnerImage,
              ...(config.imagePullPolicy ? { imagePullPolicy: config.imagePullPolicy } : {}),
              ...(config.runnerCommand ? { command: [...config.runnerCommand] } : {}),
              workingDir: workspacePath,
              env,
              resources: resourcesFor(spec, config),
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'workspace', mountPath: workspacePath },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'workspace', emptyDir: config.workspaceSizeLimit ? { sizeLimit: config.workspaceSizeLimit } : {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };

  const secret: V1Secret | undefined =
    Object.keys(secretValues).length === 0
      ? undefined
      : {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata,
          type: 'Opaque',
          immutable: true,
          data: Object.fromEntries(Object.entries(secretValues).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
        };
  return { job, secret };
}

/** The owner reference that makes the Secret go with its Job. */
export function ownedBy(secret: V1Secret, job: { name: string; uid: string }): V1Secret {
  return {
    ...secret,
    metadata: {
      ...secret.metadata,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true }],
    },
  };
}

function resourcesFor(spec: ExecutionSpec, config: KubernetesConfig): V1ResourceRequirements {
  const wanted: Record<string, string> = {};
  for (const kind of ['cpu', 'memory'] as const) {
    const value = spec.resources[kind] ?? config.defaultResources[kind];
    if (value === undefined) continue;
    const asked = parseQuantity(value, `resources.${kind}`);
    const cap = config.maxResources[kind];
    if (cap !== undefined && asked > parseQuantity(cap, `max ${kind}`)) {
      throw invalidInput(`resources.${kind} ${value} is above the cluster's cap of ${cap}`, { field: `resources.${kind}` });
    }
    wanted[kind] = value;
  }
  return Object.keys(wanted).length === 0 ? {} : { requests: { ...wanted }, limits: { ...wanted } };
}
