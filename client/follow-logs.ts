import { isTerminal } from '../core/job-state.ts';
import type { Job } from '../core/job.ts';
import type { OffsetLogRecord } from '../core/ports/log-store.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { ClientError } from './client-error.ts';
import { ndjsonStreamLines } from './ndjson-stream.ts';
import type { Transport } from './transport.ts';

export interface FollowOptions {
  /** The first record to read (a record's `offset + 1` resumes after it). Default 0. */
  readonly offset?: number;
  readonly signal?: AbortSignal;
  /** Reconnections in a row without a record in between before giving up. Default 5. */
  readonly reconnects?: number;
}

/**
 * Follows a job's log over `?follow=true&format=ndjson`. The server ends the stream when the
 * job has ended and every record is sent; it may also end early (a replica stopping, a proxy's
 * idle timeout), so an end is trusted only once the job's state says it has ended, and any
 * other end or broken connection resumes from the next offset.
 */
export async function* followLogs(
  t: Transport,
  getJob: (signal?: AbortSignal) => Promise<Job>,
  id: string,
  opts: FollowOptions,
): AsyncGenerator<OffsetLogRecord> {
  let offset = opts.offset ?? 0;
  let failures = 0;
  const maxFailures = opts.reconnects ?? 5;
  for (;;) {
    let cleanEnd = false;
    try {
      const res = await t.call({
        method: 'GET',
        path: `/v1/jobs/${encodeURIComponent(id)}/logs`,
        query: { format: 'ndjson', follow: 'true', offset },
        idempotent: true,
        stream: true,
        signal: opts.signal,
      });
      if (res.body === null) throw new ClientError('network', 'the log stream had no body', res.status);
      for await (const line of ndjsonStreamLines(res.body)) {
        if (line === '') continue;
        const record = JSON.parse(line) as OffsetLogRecord;
        offset = record.offset + 1;
        failures = 0;
        yield record;
      }
      cleanEnd = true;
    } catch (err) {
      if (opts.signal?.aborted === true) throw err;
      // A stream cut mid-body surfaces as a TypeError from the reader, not as a ClientError.
      const transient = !(err instanceof ClientError) || err.transient;
      if (!transient || ++failures > maxFailures) throw err;
    }
    if (cleanEnd) {
      const job = await getJob(opts.signal);
      if (isTerminal(job.state)) {
        // The server drains the log before it ends the stream; this read only guards a stream
        // that a proxy ended just as the job did.
        yield* tail(t, id, offset, opts.signal);
        return;
      }
    }
    await abortableSleep(Math.min(5000, 200 * 2 ** failures), opts.signal);
  }
}

async function* tail(t: Transport, id: string, offset: number, signal?: AbortSignal): AsyncGenerator<OffsetLogRecord> {
  const { text } = await t.text({
    method: 'GET',
    path: `/v1/jobs/${encodeURIComponent(id)}/logs`,
    query: { format: 'ndjson', offset },
    idempotent: true,
    signal,
  });
  for (const line of text.split('\n')) if (line !== '') yield JSON.parse(line) as OffsetLogRecord;
}
