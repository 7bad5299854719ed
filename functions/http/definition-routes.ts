import { createRoute } from '@hono/zod-openapi';
import {
  CreateDefinitionBody,
  DefinitionListSchema,
  DefinitionSchema,
  DefinitionVersionParams,
  ErrorSchema,
  ListDefinitionsQuery,
} from '../schemas/index.ts';
import { allow } from './auth.ts';
import { errorResponses, json, security } from './route-parts.ts';

/** The job definition routes (the trust model), declared as data like routes.ts. */
const errors = errorResponses('the token’s role may not do this');

export const createDefinitionRoute = createRoute({
  method: 'post',
  path: '/v1/definitions',
  summary: 'Create a job definition version (maintainer)',
  description:
    'Writes version N+1 of the name, pending approval. Versions are immutable. Param names that would change what runs ' +
    '(PATH, LD_PRELOAD, NODE_OPTIONS, REACTORCIDE_*, …) are refused with 403; patterns are RE2 syntax matched against the whole value.',
  security,
  middleware: [allow('definitions:write')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateDefinitionBody } } } },
  responses: { 201: json(DefinitionSchema, 'the new version'), ...errors, 413: json(ErrorSchema, 'body too large') },
});

export const listDefinitionsRoute = createRoute({
  method: 'get',
  path: '/v1/definitions',
  summary: 'List job definitions',
  description: 'Every version, newest first; `name` narrows to one definition.',
  security,
  middleware: [allow('definitions:read')] as const,
  request: { query: ListDefinitionsQuery },
  responses: { 200: json(DefinitionListSchema, 'definitions'), ...errors },
});

export const getDefinitionRoute = createRoute({
  method: 'get',
  path: '/v1/definitions/{name}/versions/{version}',
  summary: 'A job definition version',
  security,
  middleware: [allow('definitions:read')] as const,
  request: { params: DefinitionVersionParams },
  responses: { 200: json(DefinitionSchema, 'the version'), ...errors, 404: json(ErrorSchema, 'no such version') },
});

const approvalRoute = (verb: 'approve' | 'revoke') =>
  createRoute({
    method: 'post',
    path: `/v1/definitions/{name}/versions/{version}/${verb}`,
    summary: verb === 'approve' ? 'Approve a version (maintainer)' : 'Revoke a version (maintainer)',
    description:
      verb === 'approve'
        ? 'Contributors may run an approved version (if their role is among its roles). A revoked version may be approved again.'
        : 'Contributors can no longer run it; runs already queued are not stopped.',
    security,
    middleware: [allow('definitions:write')] as const,
    request: { params: DefinitionVersionParams },
    responses: { 200: json(DefinitionSchema, 'the version after the change'), ...errors, 404: json(ErrorSchema, 'no such version') },
  });

export const approveDefinitionRoute = approvalRoute('approve');
export const revokeDefinitionRoute = approvalRoute('revoke');
