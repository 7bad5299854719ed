import { z } from '@hono/zod-openapi';

/** A query parameter that may be given once or repeated (`?state=a&state=b`) or comma-separated. */
const many = z.union([z.string().max(2000), z.array(z.string().max(2000)).max(64)]).optional();

export const ListJobsQuery = z
  .object({
    state: many.openapi({ description: 'job states, repeated or comma-separated' }),
    label: many.openapi({ description: 'key=value, repeated; every pair must match' }),
    name: z.string().min(1).max(200).optional(),
    createdAfter: z.iso.datetime({ offset: true }).optional(),
    createdBefore: z.iso.datetime({ offset: true }).optional(),
    parent: z.uuid().optional().openapi({ description: 'only the children of this job (a job token lists only its own)' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const LogsQuery = z
  .object({
    format: z.enum(['text', 'ndjson']).default('text'),
    offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    follow: z.enum(['true', 'false', '1', '0']).default('false'),
  })
  .strict();
