import { z } from '@hono/zod-openapi';
import { jobStates, terminalStates } from '../../core/job-state.ts';
import { phases } from '../../core/phases.ts';
import { JobSpecSchema } from './job-spec-schema.ts';

const time = z.string().openapi({ format: 'date-time' });

export const PhaseTimingSchema = z
  .object({
    phase: z.enum(phases),
    startedAt: time,
    finishedAt: time,
    durationMs: z.number(),
    outcome: z.enum(['succeeded', 'failed', 'errored', 'skipped', 'cancelled']),
    message: z.string().optional(),
  })
  .openapi('PhaseTiming');

/** An attempt that ended and was retried (the job's own fields describe the current attempt). */
export const PastAttemptSchema = z
  .object({
    attempt: z.number().int(),
    state: z.enum(terminalStates),
    exitCode: z.number().int().nullable(),
    errorReason: z.string().nullable(),
    phases: z.array(PhaseTimingSchema),
    startedAt: time.nullable(),
    finishedAt: time,
  })
  .openapi('PastAttempt');

/** A job as `GET /v1/jobs/{id}` reports it. Documentation only: responses are not re-validated. */
export const JobSchema = z
  .object({
    id: z.uuid(),
    name: z.string().nullable(),
    state: z.enum(jobStates),
    spec: JobSpecSchema,
    queue: z.string(),
    priority: z.number().int(),
    labels: z.record(z.string(), z.string()),
    parentId: z.string().nullable(),
    submittedBy: z.string().nullable(),
    attempt: z.number().int().openapi({ description: 'the current attempt, from 1' }),
    maxAttempts: z.number().int(),
    retryAt: time.nullable().openapi({ description: 'while a retry waits out its backoff: when the next attempt may start' }),
    previousAttempts: z.array(PastAttemptSchema).openapi({ description: 'how the earlier attempts ended, oldest first' }),
    exitCode: z.number().int().nullable(),
    errorReason: z.string().nullable(),
    phases: z.array(PhaseTimingSchema),
    createdAt: time,
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
    updatedAt: time,
    cancelRequestedAt: time.nullable(),
    queuePosition: z.number().int().min(1).nullable().optional().openapi({
      description:
        'GET /v1/jobs/{id} only: for a queued or waiting job in a concurrency group, its place among the group\'s jobs that are admitted or ready to be, in submit order (1 = next); null otherwise',
    }),
    waitingReason: z.string().nullable().optional().openapi({
      description: 'GET /v1/jobs/{id} only: what a waiting job waits for (dependencies that have not ended, a slot in its concurrency group); null otherwise',
    }),
  })
  .openapi('Job');

export const JobPageSchema = z
  .object({
    jobs: z.array(JobSchema),
    nextCursor: z.string().nullable().openapi({ description: 'pass as ?cursor= for the next page; null on the last' }),
  })
  .openapi('JobPage');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'unprocessable', 'unavailable', 'internal']),
      message: z.string(),
      field: z.string().optional().openapi({ description: 'the offending field, e.g. spec.timeout' }),
    }),
  })
  .openapi('Error');

export const JobIdParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
});
