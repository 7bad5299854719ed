import { z } from '@hono/zod-openapi';
import { definitionNamePattern, definitionStates } from '../../core/job-definition.ts';
import { jobSpecLimits as L } from '../../core/job-spec.ts';
import { roles } from '../../core/roles.ts';
import { envNamePattern } from '../../core/reserved-env-names.ts';

/**
 * Bodies and answers of the definition routes. Names of params are checked against the reserved
 * env names and patterns are compiled by the handler (create-definition.ts), which names the
 * offending field; this schema checks shapes only.
 */
const envName = z.string().regex(envNamePattern, 'must be an env var name (ASCII letters, digits, _)');
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
export const definitionName = z.string().regex(definitionNamePattern, 'must be 1–63 lowercase letters, digits, . _ -');

const DefinitionParamSchema = z
  .object({
    pattern: z.string().min(1).max(512).openapi({ description: 'RE2 syntax; the whole value must match' }),
    default: z.string().max(1024).optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

const EntrypointSchema = z
  .union([
    z.object({ script: z.string().min(1).max(1024).openapi({ description: 'a path inside the job code (executable)' }) }).strict(),
    z.object({ command: z.array(z.string().max(4096)).min(1).max(256).openapi({ description: 'argv, run in the source directory' }) }).strict(),
  ])
  .openapi('DefinitionEntrypoint');

const DefinitionCapsSchema = z
  .object({
    timeout: z.number().int().min(1).max(L.maxTimeoutSeconds).openapi({ description: 'seconds' }),
    cpu: quantity.optional(),
    memory: quantity.optional(),
    priority: z.number().int().min(L.minPriority).max(L.maxPriority).optional(),
  })
  .strict();

export const CreateDefinitionBody = z
  .object({
    name: definitionName,
    jobCode: z
      .object({
        url: z.string().max(4096).regex(/^(https|s3|file):\/\/\S+$/, 'must be an https://, s3:// or file:// URL'),
        sha256: sha256.openapi({ description: 'required: the job code is pinned by digest' }),
      })
      .strict(),
    entrypoint: EntrypointSchema.optional().openapi({ description: 'absent: the job code’s own reactorcide_job.*' }),
    secrets: z.array(envName).max(L.maxSecrets).default([]),
    secretsByRole: z
      .partialRecord(z.enum(roles), z.array(envName).max(L.maxSecrets))
      .default({})
      .openapi({ description: 'secret names a run receives by the submitter’s role; a role not named gets none' }),
    params: z.record(z.string().max(128), DefinitionParamSchema).refine((o) => Object.keys(o).length <= 64, 'at most 64 params').default({}),
    caps: DefinitionCapsSchema,
    roles: z.array(z.enum(roles)).min(1).max(roles.length),
  })
  .strict()
  .openapi('CreateDefinition');

export const DefinitionSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    state: z.enum(definitionStates),
    jobCode: z.object({ url: z.string(), sha256: z.string() }),
    entrypoint: EntrypointSchema.optional(),
    secrets: z.array(z.string()),
    secretsByRole: z.record(z.string(), z.array(z.string())),
    params: z.record(z.string(), DefinitionParamSchema),
    caps: DefinitionCapsSchema,
    roles: z.array(z.enum(roles)),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Definition');

export const DefinitionListSchema = z.object({ definitions: z.array(DefinitionSchema) }).openapi('DefinitionList');

export const DefinitionVersionParams = z.object({
  name: definitionName.openapi({ param: { name: 'name', in: 'path' } }),
  version: z.coerce.number().int().min(1).max(999_999_999).openapi({ param: { name: 'version', in: 'path' } }),
});
export const ListDefinitionsQuery = z
  .object({ name: definitionName.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

/** What `spec.definition` records on a job that ran one. */
export const DefinitionRefSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    digest: z.string(),
    requiresApproval: z.boolean().optional().openapi({ description: 'the run may start only while this version is approved (checked again at dispatch)' }),
  })
  .openapi('DefinitionRef');
