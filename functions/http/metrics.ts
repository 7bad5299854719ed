import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics for one app. Each app gets its own registry, so two apps in one process
 * (tests, or a server beside a dispatcher) never share or double-register counters.
 */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface ApiMetrics {
  readonly registry: Registry;
  readonly jobsSubmitted: Counter<'outcome'>;
  readonly middleware: MiddlewareHandler;
}

export function createApiMetrics(options: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'reactorcide_' });
  const requests = new Counter({
    name: 'reactorcide_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'reactorcide_http_request_duration_seconds',
    help: 'Time to the response headers, by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const jobsSubmitted = new Counter({
    name: 'reactorcide_jobs_submitted_total',
    help: 'Accepted job submissions; outcome is created or replayed (same Idempotency-Key)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const middleware: MiddlewareHandler = async (c, next) => {
    const start = process.hrtime.bigint();
    await next();
    // The matched route's pattern, not the raw path: ids in paths would explode the label set.
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    const method = knownMethods.has(c.req.method) ? c.req.method : 'OTHER';
    const labels = { method, route, status: String(c.res.status) };
    requests.inc(labels);
    duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
  };
  return { registry, jobsSubmitted, middleware };
}
