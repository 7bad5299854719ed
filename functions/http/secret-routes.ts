import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { deleteSecret, listSecrets, putSecret, rotateSecrets } from '../handlers/manage-secrets.ts';
import { listAudit } from '../handlers/list-audit.ts';
import { ErrorSchema } from '../schemas/index.ts';
import { AuditPageSchema, ListAuditQuery, PutSecretBody, RotatedSecretsSchema, SecretInfoSchema, SecretListSchema, SecretNameParams } from '../schemas/secret-schemas.ts';
import type { AppEnv } from './app-env.ts';
import { allow } from './auth.ts';
import { errorResponses, json, security } from './route-parts.ts';

/**
 * `/v1/secrets` and `/v1/audit`, admin only. No route here, or anywhere, returns a secret value:
 * the store hands values only to the dispatcher.
 */
const errors = errorResponses('only admins manage secrets and read the audit log');
const noKey = { 503: json(ErrorSchema, 'no master key is configured (REACTORCIDE_SECRET_KEYS)') };

export const putSecretRoute = createRoute({
  method: 'put',
  path: '/v1/secrets/{name}',
  summary: 'Create or replace a secret (admin)',
  description:
    'Body `{"value": "…"}` (JSON, so a trailing newline is never added or lost by accident). The value is encrypted ' +
    '(AES-256-GCM under the current master key) and is never returned by any route. The name is an env var name: ' +
    'a job that names the secret gets it as that env var, masked in everything it prints.',
  security,
  middleware: [allow('secrets:manage')] as const,
  request: { params: SecretNameParams, body: { required: true, content: { 'application/json': { schema: PutSecretBody } } } },
  responses: { 200: json(SecretInfoSchema, 'stored; metadata only'), ...errors, 413: json(ErrorSchema, 'body too large'), ...noKey },
});

export const listSecretsRoute = createRoute({
  method: 'get',
  path: '/v1/secrets',
  summary: 'List secrets (admin)',
  description: 'Names and metadata, never values.',
  security,
  middleware: [allow('secrets:manage')] as const,
  responses: { 200: json(SecretListSchema, 'every secret, by name'), ...errors, ...noKey },
});

export const deleteSecretRoute = createRoute({
  method: 'delete',
  path: '/v1/secrets/{name}',
  summary: 'Delete a secret (admin)',
  description: 'Jobs that name it and have not started yet will end `errored`, naming it.',
  security,
  middleware: [allow('secrets:manage')] as const,
  request: { params: SecretNameParams },
  responses: { 204: { description: 'deleted' }, ...errors, 404: json(ErrorSchema, 'no such secret'), ...noKey },
});

export const rotateSecretsRoute = createRoute({
  method: 'post',
  path: '/v1/secrets/rotate',
  summary: 'Re-seal every secret under the current master key (admin)',
  description:
    'After a new key is put first in REACTORCIDE_SECRET_KEYS (the old one kept after it), re-encrypts every value ' +
    'sealed under another key; then the old key can be removed. Values that fail to decrypt are listed by name and left as they are.',
  security,
  middleware: [allow('secrets:manage')] as const,
  responses: { 200: json(RotatedSecretsSchema, 'how many were re-sealed, and which failed'), ...errors, ...noKey },
});

export const listAuditRoute = createRoute({
  method: 'get',
  path: '/v1/audit',
  summary: 'Audit log (admin)',
  description:
    'Who did what, newest first: job submits and cancels, definition approvals and revocations, token and secret ' +
    'writes, and the secret names each run was handed. Filters combine with AND; pass `nextCursor` back as `cursor`.',
  security,
  middleware: [allow('audit:read')] as const,
  request: { query: ListAuditQuery },
  responses: { 200: json(AuditPageSchema, 'a page of entries'), ...errors },
});

export function mountSecretAndAuditRoutes(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(putSecretRoute, async (c) => {
    const { name } = c.req.valid('param');
    const info = await putSecret(deps, { principal: c.var.principal, name, value: c.req.valid('json').value });
    deps.logger.info({ secret: name, by: c.var.principal.id }, 'secret stored');
    return c.json(info, 200);
  });
  app.openapi(listSecretsRoute, async (c) => c.json((await listSecrets(deps)) as never, 200));
  app.openapi(deleteSecretRoute, async (c) => {
    const { name } = c.req.valid('param');
    await deleteSecret(deps, { principal: c.var.principal, name });
    deps.logger.info({ secret: name, by: c.var.principal.id }, 'secret deleted');
    return c.body(null, 204) as never;
  });
  app.openapi(rotateSecretsRoute, async (c) => {
    const result = await rotateSecrets(deps, { principal: c.var.principal });
    deps.logger.info({ rotated: result.rotated, failed: result.failed, by: c.var.principal.id }, 'secrets re-sealed');
    return c.json({ rotated: result.rotated, failed: [...result.failed] }, 200);
  });
  app.openapi(listAuditRoute, async (c) => c.json((await listAudit(deps, c.req.valid('query'))) as never, 200));
}
