/**
 * An in-process HTTP server speaking the part of the Kubernetes API the executor uses — create,
 * get, list and watch Jobs, pods and Secrets by label selector, delete with a propagation
 * policy, pod logs with follow, sinceTime and timestamps — over a FakeCluster. Tests reach it the
 * way a user reaches a cluster: through a kubeconfig file naming http://127.0.0.1:PORT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { FakeCluster, type Kind, type Obj, type WatchEvent } from './fake-cluster.ts';

export interface FakeApiServer {
  readonly cluster: FakeCluster;
  readonly url: string;
  /** A kubeconfig file pointing at this server, as a user's would point at a cluster. */
  readonly kubeconfigPath: string;
  /** Watch requests served so far (each reconnect is one more). */
  watchRequests: number;
  logRequests: number;
  /** Validation errors of objects refused with 422 (a test expects none). */
  readonly invalid: string[];
  /**
   * Milliseconds each watch event of a kind is held before it is sent (in order): one watch
   * lagging another, as two streams from a busy API server do.
   */
  readonly watchLag: Partial<Record<Kind, number>>;
  /** Breaks every open watch connection, as a network or an API server restart does. */
  dropWatches(): void;
  /** Breaks every open log stream. */
  dropLogStreams(): void;
  close(): Promise<void>;
}

const routes: { re: RegExp; kind: Kind }[] = [
  { re: /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/, kind: 'jobs' },
  { re: /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/log)?$/, kind: 'pods' },
  { re: /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/, kind: 'secrets' },
];
const listKinds: Record<Kind, [string, string]> = { jobs: ['batch/v1', 'JobList'], pods: ['v1', 'PodList'], secrets: ['v1', 'SecretList'] };
const itemKinds: Record<Kind, [string, string]> = { jobs: ['batch/v1', 'Job'], pods: ['v1', 'Pod'], secrets: ['v1', 'Secret'] };

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const cluster = new FakeCluster();
  const watches = new Set<ServerResponse>();
  const logStreams = new Set<ServerResponse>();
  const api: FakeApiServer = {
    cluster,
    url: '',
    kubeconfigPath: '',
    watchRequests: 0,
    logRequests: 0,
    invalid: [],
    watchLag: {},
    dropWatches: () => [...watches].forEach((r) => r.destroy()),
    dropLogStreams: () => [...logStreams].forEach((r) => r.destroy()),
    close: async () => {
      cluster.close();
      for (const r of [...watches, ...logStreams]) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) status(res, 500, 'InternalError', String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = routes.map((r) => ({ m: r.re.exec(url.pathname), kind: r.kind })).find((r) => r.m);
    if (!route?.m) return status(res, 404, 'NotFound', `no route for ${url.pathname}`);
    const [, ns = '', name, sub] = route.m;
    const kind = route.kind;
    const q = url.searchParams;
    const stored = name ? cluster.objects[kind].get(cluster.key(ns, name)) : undefined;
    const body = req.method === 'POST' || req.method === 'DELETE' ? await readJson(req) : undefined;

    if (req.method === 'GET' && sub === '/log') return serveLog(res, stored, q);
    if (req.method === 'GET' && name) return stored ? json(res, 200, typed(kind, stored)) : status(res, 404, 'NotFound', `${kind} "${name}" not found`);
    if (req.method === 'GET' && q.get('watch') === 'true') return serveWatch(res, kind, ns, q);
    if (req.method === 'GET') {
      const items = [...cluster.objects[kind].values()].filter((o) => o.metadata.namespace === ns && matches(o, q.get('labelSelector')));
      const [apiVersion, k] = listKinds[kind];
      return json(res, 200, { apiVersion, kind: k, metadata: { resourceVersion: String(cluster.resourceVersion) }, items: items.map((o) => typed(kind, o)) });
    }
    if (req.method === 'POST' && !name) {
      try {
        // Like admission: every object the executor sends must satisfy the Kubernetes schemas.
        if (kind === 'jobs') new Job(body as ConstructorParameters<typeof Job>[0]).validate();
        if (kind === 'secrets') new Secret(body as ConstructorParameters<typeof Secret>[0]).validate();
      } catch (err) {
        api.invalid.push(String(err));
        return status(res, 422, 'Invalid', String(err));
      }
      try {
        return json(res, 201, typed(kind, cluster.create(kind, ns, body as Obj)));
      } catch (err) {
        const e = err as { status?: number; reason?: string; message: string };
        return status(res, e.status ?? 500, e.reason ?? 'InternalError', e.message);
      }
    }
    if (req.method === 'DELETE' && name) {
      const policy = q.get('propagationPolicy') ?? ((body as { propagationPolicy?: string } | undefined)?.propagationPolicy);
      const obj = cluster.deleteObject(kind, ns, name, policy);
      return obj ? json(res, 200, typed(kind, obj)) : status(res, 404, 'NotFound', `${kind} "${name}" not found`);
    }
    return status(res, 405, 'MethodNotAllowed', `${req.method} ${url.pathname}`);
  }

  function serveWatch(res: ServerResponse, kind: Kind, ns: string, q: URLSearchParams): void {
    api.watchRequests += 1;
    const since = Number(q.get('resourceVersion') ?? cluster.resourceVersion);
    const selector = q.get('labelSelector');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    const send = (e: WatchEvent): void => {
      if (e.kind !== kind || e.rv <= since || e.object.metadata.namespace !== ns || !matches(e.object, selector)) return;
      const line = `${JSON.stringify({ type: e.type, object: typed(kind, e.object) })}\n`;
      const lag = api.watchLag[kind] ?? 0;
      if (lag === 0) res.write(line);
      else setTimeout(() => res.writable && res.write(line), lag);
    };
    for (const e of cluster.events) send(e);
    cluster.listeners.add(send);
    watches.add(res);
    res.on('close', () => (cluster.listeners.delete(send), watches.delete(res)));
  }

  function serveLog(res: ServerResponse, pod: Obj | undefined, q: URLSearchParams): void {
    api.logRequests += 1;
    const log = pod ? cluster.logs.get(pod.metadata.name) : undefined;
    if (!pod || !log) return status(res, 404, 'NotFound', 'pod not found');
    const state = pod.status.containerStatuses?.[0]?.state;
    if (!state?.running && !state?.terminated) return status(res, 400, 'BadRequest', `container "runner" in pod "${pod.metadata.name}" is waiting to start`);
    const sinceRaw = q.get('sinceTime');
    const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
    const stamps = q.get('timestamps') === 'true';
    const follow = q.get('follow') === 'true';
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    let sent = 0;
    const pump = (): void => {
      for (; sent < log.lines.length; sent++) {
        const line = log.lines[sent] as { ts: string; text: string };
        if (since !== undefined && Date.parse(line.ts) < since) continue;
        res.write(`${stamps ? `${line.ts} ` : ''}${line.text}\n`);
      }
      if (!follow || log.done) {
        log.listeners.delete(pump);
        logStreams.delete(res);
        res.end();
      }
    };
    log.listeners.add(pump);
    logStreams.add(res);
    res.on('close', () => (log.listeners.delete(pump), logStreams.delete(res)));
    pump();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  const kubeconfigPath = join(dir, 'config');
  await writeFile(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: tester\n  user:\n    token: fake-token',
      'contexts:',
      '- name: fake\n  context:\n    cluster: fake\n    user: tester\n    namespace: ci',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return Object.assign(api, { url, kubeconfigPath });
}

function typed(kind: Kind, obj: Obj): Obj {
  const [apiVersion, k] = itemKinds[kind];
  return { apiVersion, kind: k, ...obj };
}

/** `a=b,c=d` and bare `a` (exists): the selector forms the executor sends. */
function matches(obj: Obj, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=') as [string, string | undefined];
    return v === undefined ? k in labels : labels[k] === v;
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { apiVersion: 'v1', kind: 'Status', status: 'Failure', message, reason, code });
}
