import { isTerminal } from '../core/job-state.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { ClientError } from './client-error.ts';
import { followLogs, type FollowOptions } from './follow-logs.ts';
import { createTransport, type Transport, type TransportOptions } from './transport.ts';
import { trustCalls } from './trust-calls.ts';
import type {
  CreatedToken,
  CreateTokenInput,
  Job,
  JobPage,
  ListJobsFilter,
  LogRecords,
  LogText,
  OffsetLogRecord,
  DefinitionRunSpec,
  SubmitSpec,
  UploadedBlob,
} from './types.ts';

export type ClientOptions = TransportOptions;

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface SubmitOptions extends CallOptions {
  /** Makes a retried submit create the job once. Default: a fresh random key per call. */
  readonly idempotencyKey?: string;
}

export interface WaitOptions extends CallOptions {
  /** Between status reads. Default 500 ms. */
  readonly pollMs?: number;
  /** Give up (a `timeout` ClientError) after this long. Default: wait as long as it takes. */
  readonly timeoutMs?: number;
  /** Called with every status read, e.g. to show progress. */
  readonly onPoll?: (job: Job) => void;
}

export type ReactorcideClient = ReturnType<typeof createClient>;

const jobPath = (id: string): string => `/v1/jobs/${encodeURIComponent(id)}`;

/**
 * A typed client over the v1 HTTP API. Reads, submits (which carry an Idempotency-Key) and
 * writes that are the same when repeated (a secret's value, an approval) are retried with
 * backoff on network errors and 502/503/504; cancel, create and upload-a-stream calls are sent
 * once. Every failure is a ClientError carrying the API's own `{code, message}`.
 */
export function createClient(options: ClientOptions) {
  const t: Transport = createTransport(options);

  const client = {
    server: t.server,
    ...trustCalls(t),

    /**
     * `POST /v1/jobs`: a full spec, or a run of a job definition. A retry after a lost answer
     * replays the first job instead of making a second.
     */
    submitJob(spec: SubmitSpec | DefinitionRunSpec, opts: SubmitOptions = {}): Promise<Job> {
      const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
      return t.json<Job>({ method: 'POST', path: '/v1/jobs', json: spec, headers: { 'idempotency-key': key }, idempotent: true, signal: opts.signal });
    },

    getJob(id: string, opts: CallOptions = {}): Promise<Job> {
      return t.json<Job>({ method: 'GET', path: jobPath(id), idempotent: true, signal: opts.signal });
    },

    /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
    listJobs(filter: ListJobsFilter = {}, opts: CallOptions = {}): Promise<JobPage> {
      const { state, label, ...rest } = filter;
      return t.json<JobPage>({
        method: 'GET',
        path: '/v1/jobs',
        query: { ...rest, state: typeof state === 'string' ? [state] : state, label: typeof label === 'string' ? [label] : label },
        idempotent: true,
        signal: opts.signal,
      });
    },

    /** Every matching job, page after page. */
    async *listAllJobs(filter: Omit<ListJobsFilter, 'cursor'> = {}, opts: CallOptions = {}): AsyncGenerator<Job> {
      let cursor: string | undefined;
      do {
        const page = await client.listJobs({ ...filter, ...(cursor === undefined ? {} : { cursor }) }, opts);
        yield* page.jobs;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    },

    /** `POST /v1/jobs/:id/cancel`: a conflict ClientError when the job already ended. */
    cancelJob(id: string, opts: CallOptions = {}): Promise<Job> {
      return t.json<Job>({ method: 'POST', path: `${jobPath(id)}/cancel`, idempotent: false, signal: opts.signal });
    },

    /** The masked log as text from `offset` to its current end. */
    async readLogs(id: string, opts: CallOptions & { offset?: number } = {}): Promise<LogText> {
      const { text, headers } = await t.text({ method: 'GET', path: `${jobPath(id)}/logs`, query: { offset: opts.offset }, idempotent: true, signal: opts.signal });
      return { text, nextOffset: Number(headers.get('x-next-offset') ?? opts.offset ?? 0) };
    },

    /** The log's records (stream, phase, time, offset) from `offset` to its current end. */
    async readLogRecords(id: string, opts: CallOptions & { offset?: number } = {}): Promise<LogRecords> {
      const { text, headers } = await t.text({
        method: 'GET',
        path: `${jobPath(id)}/logs`,
        query: { format: 'ndjson', offset: opts.offset },
        idempotent: true,
        signal: opts.signal,
      });
      const records = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as OffsetLogRecord);
      return { records, nextOffset: Number(headers.get('x-next-offset') ?? opts.offset ?? 0) };
    },

    /**
     * The log's records as they are written, until the job has ended and all of its log is read.
     * A dropped connection resumes from the last record received, so nothing repeats or is lost.
     */
    followLogs(id: string, opts: FollowOptions = {}): AsyncGenerator<OffsetLogRecord> {
      return followLogs(t, (signal) => client.getJob(id, { signal }), id, opts);
    },

    /** Resolves with the job once it is in a terminal state. */
    async waitFor(id: string, opts: WaitOptions = {}): Promise<Job> {
      const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
      for (;;) {
        const job = await client.getJob(id, { signal: opts.signal });
        opts.onPoll?.(job);
        if (isTerminal(job.state)) return job;
        if (Date.now() >= deadline) throw new ClientError('timeout', `job ${id} is still ${job.state} after ${opts.timeoutMs} ms`, null);
        await abortableSleep(Math.min(opts.pollMs ?? 500, Math.max(0, deadline - Date.now())), opts.signal);
      }
    },

    /** `POST /v1/tokens` (admin). */
    createToken(input: CreateTokenInput, opts: CallOptions = {}): Promise<CreatedToken> {
      return t.json<CreatedToken>({ method: 'POST', path: '/v1/tokens', json: input, idempotent: false, signal: opts.signal });
    },

    /** `DELETE /v1/tokens/:id` (admin). */
    async revokeToken(id: string, opts: CallOptions = {}): Promise<void> {
      await t.call({ method: 'DELETE', path: `/v1/tokens/${encodeURIComponent(id)}`, idempotent: true, signal: opts.signal });
    },

    /**
     * `PUT /v1/blobs`: a .tar or .tar.gz, streamed. Bytes held in memory are retried like a read
     * (the store is content-addressed); a stream cannot be sent twice, so it is sent once.
     */
    uploadBlob(body: ReadableStream<Uint8Array> | Uint8Array | Blob, opts: CallOptions = {}): Promise<UploadedBlob> {
      return t.json<UploadedBlob>({
        method: 'PUT',
        path: '/v1/blobs',
        body: body as RequestInit['body'],
        headers: { 'content-type': 'application/octet-stream' },
        idempotent: !(body instanceof ReadableStream),
        signal: opts.signal,
      });
    },
  };
  return client;
}
