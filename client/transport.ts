import { abortableSleep } from './abortable-sleep.ts';
import { ClientError, errorFromResponse } from './client-error.ts';

/**
 * One HTTP call to the API with a deadline, and retries for calls that are safe to repeat.
 * Web APIs only (fetch, AbortController, URL), so the client runs in a job script, a browser
 * or a worker as well as in the CLI.
 */
export interface TransportOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:7007`. */
  readonly server: string;
  /** Bearer token; without one only the unauthenticated routes answer. */
  readonly token?: string;
  /** How long a call may wait for its answer (a streamed body: for its headers). Default 30 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for idempotent calls only. Default 3. */
  readonly retries?: number;
  /** First backoff delay; each retry doubles it (with jitter), capped at 5 s. Default 200 ms. */
  readonly retryDelayMs?: number;
  /** Another fetch, e.g. a test's or an app's `app.request`. Default: the global fetch. */
  readonly fetch?: (input: Request) => Promise<Response>;
}

export interface CallInit {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
  /** JSON-encoded unless it is already a body type fetch sends as is. */
  readonly json?: unknown;
  readonly body?: RequestInit['body'];
  readonly headers?: Readonly<Record<string, string>>;
  /** Safe to send again after a network error or a 502/503/504. */
  readonly idempotent: boolean;
  /** The response body is a stream: the deadline stops at the headers. */
  readonly stream?: boolean;
  readonly signal?: AbortSignal;
}

const maxBackoffMs = 5000;

export interface Transport {
  readonly server: string;
  /** The successful response, its deadline over (for streams and empty bodies); errors are ClientErrors. */
  call(init: CallInit): Promise<Response>;
  /** The body as JSON, read within the call's deadline. */
  json<T>(init: CallInit): Promise<T>;
  /** The body as text and the response headers, read within the call's deadline. */
  text(init: CallInit): Promise<{ text: string; headers: Headers }>;
}

export function createTransport(options: TransportOptions): Transport {
  if (!/^https?:\/\//.test(options.server)) {
    throw new ClientError('invalid_input', `server must be an http:// or https:// URL, not ${JSON.stringify(options.server)}`, null);
  }
  const base = options.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const firstDelay = options.retryDelayMs ?? 200;
  const doFetch = options.fetch ?? ((req: Request) => fetch(req));

  function url(init: CallInit): string {
    const u = new URL(base + init.path);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v as readonly string[]) u.searchParams.append(k, item);
      else u.searchParams.set(k, String(v));
    }
    return u.href;
  }

  /** One attempt; `finish` ends its deadline (after the body is read, or at once for a stream). */
  async function attempt(init: CallInit): Promise<{ res: Response; finish: () => void }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const onAbort = (): void => controller.abort(init.signal?.reason);
    init.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
    };
    if (init.signal?.aborted === true) onAbort();
    const headers = new Headers(init.headers);
    if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const requestInit: RequestInit & { duplex?: 'half' } = { method: init.method, headers, signal: controller.signal };
    if (body !== undefined) {
      requestInit.body = body;
      // fetch streams a request body only half-duplex.
      if (body instanceof ReadableStream) requestInit.duplex = 'half';
    }
    try {
      const res = await doFetch(new Request(url(init), requestInit));
      if (init.stream === true && res.ok) finish();
      return { res, finish };
    } catch (err) {
      finish();
      if (init.signal?.aborted === true) throw init.signal.reason;
      if (timedOut) throw new ClientError('timeout', `no answer from ${base} within ${timeoutMs} ms`, null, undefined, { cause: err });
      const reason = describeNetworkError(err);
      throw new ClientError('network', `cannot reach ${base}: ${reason}`, null, undefined, { cause: err });
    }
  }

  async function withRetries<T>(init: CallInit, once: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await once();
      } catch (err) {
        const retry = init.idempotent && n < retries && err instanceof ClientError && err.transient && init.signal?.aborted !== true;
        if (!retry) throw err;
        const jitter = 0.5 + Math.random() / 2;
        await abortableSleep(Math.min(maxBackoffMs, firstDelay * 2 ** n) * jitter, init.signal);
      }
    }
  }

  async function callOnce(init: CallInit): Promise<{ res: Response; finish: () => void }> {
    const r = await attempt(init);
    if (r.res.ok) return r;
    try {
      throw await errorFromResponse(r.res);
    } finally {
      r.finish();
    }
  }

  /** Reads the body within the deadline; a body cut off is a network error (so it is retried). */
  const read = <T>(init: CallInit, how: (res: Response) => Promise<T>) =>
    withRetries(init, async () => {
      const { res, finish } = await callOnce(init);
      try {
        return await how(res);
      } catch (err) {
        if (init.signal?.aborted === true) throw init.signal.reason;
        throw new ClientError('network', `the answer from ${base} was cut off or malformed`, res.status, undefined, { cause: err });
      } finally {
        finish();
      }
    });

  return {
    server: base,
    call: (init) =>
      withRetries(init, async () => {
        const { res, finish } = await callOnce(init);
        finish();
        return res;
      }),
    json: <T>(init: CallInit) => read(init, async (res) => (await res.json()) as T),
    text: (init) => read(init, async (res) => ({ text: await res.text(), headers: res.headers })),
  };
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
