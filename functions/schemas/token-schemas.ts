import { z } from '@hono/zod-openapi';
import { roles } from '../../core/roles.ts';

export const CreateTokenBody = z
  .object({
    name: z.string().min(1).max(200),
    role: z.enum(roles),
    expiresInSeconds: z.number().int().min(60).max(5 * 365 * 86_400).optional(),
  })
  .strict()
  .openapi('CreateToken');

export const TokenInfoSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(roles),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    createdBy: z.string().nullable(),
  })
  .openapi('TokenInfo');

export const CreatedTokenSchema = TokenInfoSchema.extend({
  token: z.string().openapi({ description: 'the bearer token; shown only in this response' }),
}).openapi('CreatedToken');

export const TokenIdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
