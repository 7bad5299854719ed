import type { z } from '@hono/zod-openapi';
import { ErrorSchema } from '../schemas/index.ts';

/** The pieces every route declaration shares (routes.ts, definition-routes.ts, secret-routes.ts). */

/** A JSON response (or body) documented with its schema. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Every authenticated route: a bearer token. */
export const security = [{ bearer: [] }];

/** The errors every authenticated route can answer; `forbidden` says who may use these routes. */
export const errorResponses = (forbidden: string) => ({
  400: json(ErrorSchema, 'invalid input; `field` names the offending field'),
  401: json(ErrorSchema, 'missing, unknown, expired or revoked token'),
  403: json(ErrorSchema, forbidden),
});
