import { z } from '@hono/zod-openapi';
import { concurrencyPolicies, jobSpecLimits as L, type JobSpec } from '../../core/job-spec.ts';
import { terminalStates } from '../../core/job-state.ts';
import { DefinitionRefSchema } from './definition-schemas.ts';

/**
 * The submit body. This one schema validates requests and generates the OpenAPI document, so
 * the reference page and the validator cannot disagree. Unknown fields are refused so that a
 * typo (`timout`) is an error rather than a silently ignored setting.
 */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name');
const labelKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'must be 1–63 letters, digits, . _ / -');
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity');
const maxKeys = (n: number) => (o: Record<string, unknown>) => Object.keys(o).length <= n;

const tarball = z
  .object({
    kind: z.literal('tarball'),
    url: z.string().max(4096).regex(/^(https?|s3|file):\/\/\S+$/, 'must be an http(s)://, s3:// or file:// URL'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits').optional(),
  })
  .strict();
const directory = z.object({ kind: z.literal('directory'), path: z.string().min(1).max(4096) }).strict();
export const CodeLocationSchema = z.discriminatedUnion('kind', [tarball, directory]).openapi('CodeLocation');

const specFields = {
    name: z.string().min(1).max(200).optional(),
    source: CodeLocationSchema,
    jobCode: CodeLocationSchema.optional(),
    command: z.array(z.string().max(4096)).min(1).max(256).optional(),
    image: z.string().min(1).max(512).optional(),
    env: z.record(envName, z.string().max(65536)).refine(maxKeys(L.maxEnv), `at most ${L.maxEnv} variables`).default({}),
    secrets: z.array(envName).max(L.maxSecrets).default([]),
    resources: z.object({ cpu: quantity.optional(), memory: quantity.optional() }).strict().default({}),
    timeout: z.number().int().min(1).max(L.maxTimeoutSeconds).default(L.defaultTimeoutSeconds).openapi({ description: 'seconds' }),
    priority: z.number().int().min(L.minPriority).max(L.maxPriority).default(0),
    queue: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1–63 lowercase letters, digits, _ or -').default('default'),
    labels: z.record(labelKey, z.string().max(256)).refine(maxKeys(L.maxLabels), `at most ${L.maxLabels} labels`).default({}),
    concurrency: z
      .object({
        group: z.string().min(1).max(200),
        limit: z.number().int().min(1).max(1000).default(1),
        policy: z.enum(concurrencyPolicies).default('queue'),
      })
      .strict()
      .optional(),
    dependsOn: z
      .array(
        z
          .object({
            jobId: z.uuid(),
            states: z.array(z.enum(terminalStates)).min(1).default(['succeeded']),
          })
          .strict(),
      )
      .max(L.maxDependencies)
      .default([]),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(L.maxRetryAttempts),
        backoffSeconds: z.number().int().min(0).max(86_400).default(10),
        onFailed: z.boolean().default(false),
      })
      .strict()
      .optional(),
};

const noDuplicateDependencies = (spec: { dependsOn: readonly { jobId: string }[] }, ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  spec.dependsOn.forEach((d, i) => {
    if (seen.has(d.jobId)) ctx.addIssue({ code: 'custom', path: ['dependsOn', i, 'jobId'], message: 'named twice' });
    seen.add(d.jobId);
  });
};

/** A job's spec as stored and reported: what was submitted, plus the definition it ran, if any. */
export const JobSpecSchema = z
  .object({ ...specFields, definition: DefinitionRefSchema.optional() })
  .strict()
  .superRefine(noDuplicateDependencies)
  .openapi('JobSpec');

/**
 * The submit body: a full spec (maintainers and admins), or a run of a definition —
 * `{definition: "name@version", source, params}` — which is all a contributor may send.
 */
export const SubmitJobBody = z
  .object({
    ...specFields,
    definition: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}@[1-9][0-9]{0,8}$/, 'must be name@version')
      .optional()
      .openapi({ description: 'run this approved job definition; the job code, entrypoint, secrets and limits come from it' }),
    params: z
      .record(z.string().max(256), z.string().max(65536))
      .refine((o) => Object.keys(o).length <= 64, 'at most 64 params')
      .optional()
      .openapi({ description: 'values of the definition’s parameters, each matched against its pattern and set as an env var' }),
  })
  .strict()
  .superRefine(noDuplicateDependencies)
  .openapi('SubmitJob');

export type SubmitJobBody = z.output<typeof SubmitJobBody>;

/** The spec part of a validated submit body (a full spec: the definition fields set apart). */
export const asJobSpec = (parsed: SubmitJobBody): JobSpec => {
  const { definition: _definition, params: _params, ...spec } = parsed;
  return spec;
};
