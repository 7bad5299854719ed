import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from './body-limit.ts';
import { stream } from 'hono/streaming';
import { AppError, notFound } from '../../core/errors.ts';
import type { OffsetLogRecord } from '../../core/ports/log-store.ts';
import type { Deps } from '../deps.ts';
import { cancelJob, checkReadiness, createToken, getJob, listJobs, readLogs, revokeToken, submitJob, uploadBlob } from '../handlers/index.ts';
import { createDefinition, getDefinition, listDefinitions, setDefinitionApproval } from '../handlers/index.ts';
import { asJobSpec } from '../schemas/index.ts';
import type { AppEnv } from './app-env.ts';
import { authenticate } from './auth.ts';
import { jobTokenScope } from './job-token-scope.ts';
import { renderDocsPage } from './docs-page.ts';
import { mountSecretAndAuditRoutes } from './secret-routes.ts';
import { errorResponse, onAppError, validationHook } from './error-response.ts';
import { createApiMetrics, type ApiMetrics } from './metrics.ts';
import * as r from './routes.ts';
import * as d from './definition-routes.ts';
import { contributorJobScope, seesOwnJobsOnly } from './contributor-job-scope.ts';

export interface AppOptions {
  /** Defaults to a fresh registry for this app, without process metrics. */
  readonly metrics?: ApiMetrics;
}

const openApiConfig = {
  openapi: '3.0.3',
  info: {
    title: 'Reactorcide API',
    version: 'v1',
    description: 'Submit jobs, query their status and read their logs. Every /v1 route needs `Authorization: Bearer <token>`.',
  },
};

const renderText = (records: readonly OffsetLogRecord[]): string => records.map((x) => x.text).join('');
const renderNdjson = (records: readonly OffsetLogRecord[]): string =>
  records.map((x) => JSON.stringify({ offset: x.offset, ts: x.ts, stream: x.stream, phase: x.phase, text: x.text }) + '\n').join('');

/**
 * The whole HTTP API as a Hono app, built from its deps and holding no state of its own between
 * requests: the same app runs in a Node server and in a FaaS (functions/entry).
 */
export function createApp(deps: Deps, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const metrics = options.metrics ?? createApiMetrics();
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook('body') });
  app.onError(onAppError(deps.logger));
  app.notFound((c) => errorResponse(c, notFound(`no route ${c.req.method} ${c.req.path}`)));
  app.use('*', metrics.middleware);
  const jsonBodyLimit = bodyLimit({
    maxSize: deps.settings.maxBodyBytes,
    onError: (c) => errorResponse(c, new AppError('too_large', `request body over ${deps.settings.maxBodyBytes} bytes`)),
  });
  // Blobs stream to storage under their own, much larger limit (the handler enforces it).
  app.use('/v1/*', (c, next) => (c.req.path === '/v1/blobs' ? next() : jsonBodyLimit(c, next)));
  app.use('/v1/*', authenticate(deps.tokens));
  app.use('/v1/*', jobTokenScope(deps.jobs));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.use('/v1/jobs/*', contributorJobScope(deps.jobs));

  app.openapi(
    r.submitJobRoute,
    async (c) => {
      const body = c.req.valid('json');
      const { job, replayed } = await submitJob(deps, {
        principal: c.var.principal,
        spec: body.definition === undefined ? asJobSpec(body) : { ...body, definition: body.definition },
        rawBody: await c.req.json<unknown>(),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      metrics.jobsSubmitted.inc({ outcome: replayed ? 'replayed' : 'created' });
      c.header('Location', `/v1/jobs/${job.id}`);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(job as never, 201);
    },
    validationHook('spec'),
  );

  app.openapi(r.getJobRoute, async (c) => c.json((await getJob(deps, c.req.valid('param'))) as never, 200));

  app.openapi(r.listJobsRoute, async (c) => {
    const principal = c.var.principal;
    // A job token sees only its children, asked for or not.
    const parent = principal.jobId ?? c.req.valid('query').parent;
    // A contributor sees only the jobs it submitted.
    const submittedBy = seesOwnJobsOnly(principal) ? principal.id : undefined;
    return c.json((await listJobs(deps, { ...c.req.valid('query'), parent, submittedBy })) as never, 200);
  });

  app.openapi(r.cancelJobRoute, async (c) => c.json((await cancelJob(deps, { ...c.req.valid('param'), principal: c.var.principal })) as never, 200));

  app.openapi(r.jobLogsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const follow = q.follow === 'true' || q.follow === '1';
    const render = q.format === 'ndjson' ? renderNdjson : renderText;
    const abort = new AbortController();
    const batches = await readLogs(deps, { id, offset: q.offset, follow, signal: abort.signal });
    c.header('Content-Type', q.format === 'ndjson' ? 'application/x-ndjson' : 'text/plain; charset=utf-8');
    if (!follow) {
      let body = '';
      let next = q.offset;
      for await (const batch of batches) {
        body += render(batch);
        next = (batch.at(-1)?.offset ?? next - 1) + 1;
      }
      c.header('X-Next-Offset', String(next));
      return c.body(body, 200) as never;
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return stream(
      c,
      async (s) => {
        s.onAbort(() => abort.abort());
        for await (const batch of batches) await s.write(render(batch));
      },
      async (err) => {
        // Headers are gone by now: the client sees the stream end early and resumes by offset.
        deps.logger.error({ err, jobId: id }, 'log follow failed');
        await Promise.resolve();
      },
    ) as never;
  });

  app.openapi(r.uploadBlobRoute, async (c) => {
    const length = Number(c.req.header('content-length'));
    const { blob, created } = await uploadBlob(deps, {
      body: c.req.raw.body,
      ...(Number.isSafeInteger(length) && length >= 0 ? { contentLength: length } : {}),
      signal: c.req.raw.signal,
    });
    return c.json(blob, created ? 201 : 200);
  });

  app.openapi(r.createTokenRoute, async (c) => {
    const body = c.req.valid('json');
    const created = await createToken(deps, { principal: c.var.principal, ...body });
    deps.logger.info({ tokenId: created.id, role: created.role, by: c.var.principal.id }, 'token created');
    return c.json(created as never, 201);
  });

  app.openapi(r.revokeTokenRoute, async (c) => {
    if (!(await revokeToken(deps, { ...c.req.valid('param'), principal: c.var.principal }))) throw notFound('no such live token');
    return c.body(null, 204) as never;
  });

  app.openapi(d.createDefinitionRoute, async (c) =>
    c.json((await createDefinition(deps, { principal: c.var.principal, ...c.req.valid('json') })) as never, 201),
  );

  app.openapi(d.listDefinitionsRoute, async (c) => c.json((await listDefinitions(deps, c.req.valid('query'))) as never, 200));

  app.openapi(d.getDefinitionRoute, async (c) => c.json((await getDefinition(deps, c.req.valid('param'))) as never, 200));

  app.openapi(d.approveDefinitionRoute, async (c) =>
    c.json((await setDefinitionApproval(deps, { principal: c.var.principal, ...c.req.valid('param'), state: 'approved' })) as never, 200),
  );

  app.openapi(d.revokeDefinitionRoute, async (c) =>
    c.json((await setDefinitionApproval(deps, { principal: c.var.principal, ...c.req.valid('param'), state: 'revoked' })) as never, 200),
  );

  mountSecretAndAuditRoutes(app, deps);

  app.openapi(r.healthRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(r.readyRoute, async (c) => {
    const schema = await checkReadiness(deps);
    return c.json({ status: 'ready' as const, schema }, 200);
  });

  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.doc('/openapi.json', openApiConfig);
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPIDocument(openApiConfig))));

  return app;
}
