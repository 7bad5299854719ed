import { z } from '@hono/zod-openapi';
import { auditActions } from '../../core/ports/audit-log.ts';
import { roles } from '../../core/roles.ts';

/** The shortest value the masking engine masks (its default `minLength`); shorter could not be hidden. */
export const minSecretValueLength = 6;

export const SecretNameParams = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an env var name: a letter or _, then letters, digits, _ (at most 128)')
    .refine((n) => !n.toUpperCase().startsWith('REACTORCIDE_'), 'REACTORCIDE_* names are reserved for the runner')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'NPM_TOKEN' }),
});

export const PutSecretBody = z
  .object({
    value: z
      .string()
      .max(64 * 1024)
      .refine((v) => v.trim().length >= minSecretValueLength, `must be at least ${minSecretValueLength} characters (shorter values cannot be masked)`)
      .openapi({ description: 'the secret value; stored encrypted, never returned' }),
  })
  .strict()
  .openapi('PutSecret');

export const SecretInfoSchema = z
  .object({
    name: z.string(),
    keyId: z.string().openapi({ description: 'the master key that sealed the current value' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable().openapi({ description: 'token id of the last writer' }),
  })
  .openapi('SecretInfo');

export const RotatedSecretsSchema = z
  .object({ rotated: z.number().int(), failed: z.array(z.string()).openapi({ description: 'names whose values did not decrypt' }) })
  .openapi('RotatedSecrets');

export const SecretListSchema = z.object({ secrets: z.array(SecretInfoSchema) }).openapi('SecretList');

const many = z.union([z.string().max(2000), z.array(z.string().max(2000)).max(64)]).optional();

export const ListAuditQuery = z
  .object({
    action: many.openapi({ description: `actions, repeated or comma-separated: ${auditActions.join(', ')}` }),
    actor: z.uuid().optional().openapi({ description: 'token id of the actor' }),
    targetKind: z.string().min(1).max(50).optional(),
    targetId: z.string().min(1).max(200).optional(),
    after: z.iso.datetime({ offset: true }).optional(),
    before: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    at: z.string(),
    action: z.enum(auditActions),
    actor: z.object({ tokenId: z.string(), name: z.string(), role: z.enum(roles) }).nullable(),
    target: z.object({ kind: z.string(), id: z.string() }),
    jobCodeDigest: z.string().nullable(),
    secretNames: z.array(z.string()),
    detail: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

export const AuditPageSchema = z
  .object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() })
  .openapi('AuditPage');
