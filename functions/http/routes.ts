import { createRoute, z } from '@hono/zod-openapi';
import {
  CreateTokenBody,
  CreatedTokenSchema,
  ErrorSchema,
  JobIdParams,
  JobPageSchema,
  JobSchema,
  SubmitJobBody,
  ListJobsQuery,
  LogsQuery,
  TokenIdParams,
  UploadedBlobSchema,
} from '../schemas/index.ts';
import { allow } from './auth.ts';
import { errorResponses, json, security } from './route-parts.ts';
import { runRequestGuard } from './run-request-guard.ts';

/**
 * The v1 routes as data: paths, the schemas that validate each part of a request, the role
 * check, and the documented responses. `create-app.ts` binds handlers to them; the OpenAPI
 * document is generated from exactly these.
 */
const errors = errorResponses('the token’s role may not do this, or a job token reached outside its own job and its children');

export const submitJobRoute = createRoute({
  method: 'post',
  path: '/v1/jobs',
  summary: 'Submit a job',
  description:
    'Validates the spec and queues the job. The job and its queue entry are written in one transaction. ' +
    'With an `Idempotency-Key` header a retry gets the first response; the same key with a different body gets 409. ' +
    'A body with `definition: "name@version"` runs that job definition; it is all a contributor may send ' +
    '(`definition`, `source`, `params`; any other field is 403 naming it). ' +
    "A job's own token submits a child, held to its parent (queue, priority, secrets), at most 10 generations deep " +
    'and at most `REACTORCIDE_MAX_CHILDREN_PER_JOB` (default 1000) children per job; past either it is 403.',
  security,
  // Contributors pass the role check with definitions:run; runRequestGuard then refuses any field
  // but definition, source and params, by name, before validation could call it unknown.
  middleware: [allow('definitions:run'), runRequestGuard] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().optional() }),
    body: { required: true, content: { 'application/json': { schema: SubmitJobBody } } },
  },
  responses: {
    201: json(JobSchema, 'accepted (or replayed: header Idempotent-Replayed: true)'),
    ...errors,
    404: json(ErrorSchema, 'no such job definition version'),
    409: json(ErrorSchema, 'Idempotency-Key reused with a different body'),
    413: json(ErrorSchema, 'body too large'),
    422: json(ErrorSchema, 'a param the definition does not accept (missing, unknown, or off its pattern), or a `dependsOn` job that does not exist; `field` names it'),
  },
});

export const getJobRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  summary: 'Job status',
  description: 'State, timestamps, per-phase timings, exit code and error reason.',
  security,
  middleware: [allow('jobs:read')] as const,
  request: { params: JobIdParams },
  responses: { 200: json(JobSchema, 'the job'), ...errors, 404: json(ErrorSchema, 'no such job') },
});

export const listJobsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs',
  summary: 'List jobs',
  description: 'Newest first. Filters combine with AND. Pass `nextCursor` back as `cursor` for the next page.',
  security,
  middleware: [allow('jobs:read')] as const,
  request: { query: ListJobsQuery },
  responses: { 200: json(JobPageSchema, 'a page of jobs'), ...errors },
});

export const cancelJobRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  summary: 'Cancel a job',
  description: 'A queued job is cancelled at once; a running one is asked to stop. 409 if it already ended.',
  security,
  middleware: [allow('jobs:cancel')] as const,
  request: { params: JobIdParams },
  responses: {
    200: json(JobSchema, 'the job after the request'),
    ...errors,
    404: json(ErrorSchema, 'no such job'),
    409: json(ErrorSchema, 'the job already ended'),
  },
});

export const jobLogsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/logs',
  summary: 'Job log',
  description:
    'The masked log as text, or one JSON record per line with `format=ndjson` (each with its `offset`). ' +
    '`offset` resumes from a record; `follow=true` streams until the job ends. ' +
    'Without follow, header `X-Next-Offset` tells where to resume.',
  security,
  middleware: [allow('jobs:read')] as const,
  request: { params: JobIdParams, query: LogsQuery },
  responses: {
    200: {
      description: 'the log',
      content: { 'text/plain': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
    },
    ...errors,
    404: json(ErrorSchema, 'no such job'),
  },
});

export const uploadBlobRoute = createRoute({
  method: 'put',
  path: '/v1/blobs',
  summary: 'Upload a tarball',
  description:
    'Stores the body (a .tar or .tar.gz, streamed) content-addressed by its sha256 and returns the URL and digest ' +
    'to put in a job spec as a tarball source. Uploading the same bytes again returns the same answer. ' +
    'The size limit is `REACTORCIDE_BLOB_MAX_BYTES`, not the JSON body limit.',
  security,
  middleware: [allow('blobs:upload')] as const,
  request: { body: { required: true, content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } } },
  responses: {
    200: json(UploadedBlobSchema, 'already stored'),
    201: json(UploadedBlobSchema, 'stored'),
    ...errors,
    413: json(ErrorSchema, 'body over the blob size limit'),
    503: json(ErrorSchema, 'the object store is unavailable or not configured'),
  },
});

export const createTokenRoute = createRoute({
  method: 'post',
  path: '/v1/tokens',
  summary: 'Create a token (admin)',
  description: 'The token is in this response only; the server keeps its hash.',
  security,
  middleware: [allow('tokens:create')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateTokenBody } } } },
  responses: { 201: json(CreatedTokenSchema, 'the new token'), ...errors, 413: json(ErrorSchema, 'body too large') },
});

export const revokeTokenRoute = createRoute({
  method: 'delete',
  path: '/v1/tokens/{id}',
  summary: 'Revoke a token (admin)',
  security,
  middleware: [allow('tokens:create')] as const,
  request: { params: TokenIdParams },
  responses: { 204: { description: 'revoked' }, ...errors, 404: json(ErrorSchema, 'no such live token') },
});

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'the process is serving') },
});

export const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness',
  description: 'Ready when the database answers and its schema holds every migration this build ships.',
  responses: {
    200: json(z.object({ status: z.literal('ready'), schema: z.object({ applied: z.number(), expected: z.number() }) }), 'ready'),
    503: json(ErrorSchema, 'database unreachable or schema not current'),
  },
});
