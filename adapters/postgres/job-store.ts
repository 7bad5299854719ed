import { randomUUID } from 'node:crypto';
import { AppError, conflict, notFound } from '../../core/errors.ts';
import type { Job } from '../../core/job.ts';
import type { JobSpec } from '../../core/job-spec.ts';
import { isTerminal, terminalStates } from '../../core/job-state.ts';
import type { JobCursor, JobFilter, JobPage, JobStore, SubmitInput, SubmitResult, TransitionInput } from '../../core/ports/job-store.ts';
import type { AuditEvent } from '../../core/ports/audit-log.ts';
import { insertAuditEvent } from './audit-log.ts';
import type { InlineEnqueue } from './inline-enqueue.ts';
import { jobColumns, jobFromRow, type JobRow } from './job-row.ts';
import type { Db } from './database.ts';
import { defaultInsertBatch, defaultReadBatch, statementBatcher, type BatchOptions } from './statement-batcher.ts';
import { pgCall, translatePgError } from './pg-errors.ts';
import { statement, type Statement, type StoreOptions } from './statement.ts';

const terminalList = terminalStates.map((s) => `'${s}'`).join(',');

/**
 * One statement writes the job, its dependencies and its outbox entry — or, with the queue in this
 * database, its task (`InlineEnqueue`) — so a submit is a single round trip and still
 * all-or-nothing. The job's entry into `queued` is its `created_at`; job_transitions records
 * every move after that. Positional, so it can be prepared.
 */
function insertJobSql(withDependencies: boolean, inline: InlineEnqueue | undefined): string {
  const deps = withDependencies
    ? `, d AS (
  INSERT INTO job_dependencies (job_id, depends_on, states)
  SELECT j.id, x.job_id, x.states FROM j, jsonb_to_recordset($14::jsonb) AS x(job_id uuid, states text[])
)`
    : '';
  const ref = taskRefParts(inline);
  return `
WITH j AS (
  INSERT INTO jobs (id, name, state, spec, queue, priority, labels, timeout_seconds,
                    concurrency_group, concurrency_limit, concurrency_policy, parent_id, submitted_by, max_attempts${ref.column})
  VALUES ($1, $2, 'queued', $3::jsonb, $4, $5, $6::jsonb, $7, $8, $9, $10, $11::uuid, $12::uuid, $13${ref.value})
  RETURNING ${jobColumns}${ref.column}
)${deps}${enqueueThenSelect(inline)}`;
}

/** With the queue inline, the jobs row keeps its task's ref from the start (`, queue_ref` and its value); else nothing. */
function taskRefParts(inline: InlineEnqueue | undefined): { column: string; value: string } {
  return inline ? { column: ', queue_ref', value: `, ${inline.newTaskRef}` } : { column: '', value: '' };
}

/** The jobs' way to the queue (their tasks, or outbox rows for the relay), then the statement's result: the jobs written. */
function enqueueThenSelect(inline: InlineEnqueue | undefined): string {
  if (inline) return `${inline.ctes}\nSELECT ${jobColumns} FROM j WHERE ${inline.guard}`;
  return `, o AS (
  INSERT INTO job_outbox (job_id, kind, queue, priority) SELECT id, 'enqueue', queue, priority FROM j
)
SELECT ${jobColumns} FROM j`;
}

function insertValues(spec: JobSpec, input: SubmitInput): unknown[] {
  const values: unknown[] = [
    randomUUID(),
    spec.name ?? null,
    JSON.stringify(spec),
    spec.queue,
    spec.priority,
    JSON.stringify(spec.labels),
    spec.timeout,
    spec.concurrency?.group ?? null,
    spec.concurrency?.limit ?? null,
    spec.concurrency?.policy ?? null,
    input.parentId ?? null,
    input.submittedBy,
    spec.retry?.maxAttempts ?? 1,
  ];
  if (spec.dependsOn.length > 0) {
    values.push(JSON.stringify(spec.dependsOn.map((d) => ({ job_id: d.jobId, states: d.states }))));
  }
  return values;
}

/**
 * Many plain jobs (no dependencies) in one statement, each with its outbox entry, from one JSON
 * array whose objects carry `insertValues`' fields by column name.
 */
const insertManyColumns = [
  'id', 'name', 'spec', 'queue', 'priority', 'labels', 'timeout_seconds',
  'concurrency_group', 'concurrency_limit', 'concurrency_policy', 'parent_id', 'submitted_by', 'max_attempts',
] as const;
function insertManySql(inline: InlineEnqueue | undefined): string {
  const ref = taskRefParts(inline);
  return `
WITH x AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, spec jsonb, queue text, priority integer,
    labels jsonb, timeout_seconds integer, concurrency_group text, concurrency_limit integer, concurrency_policy text,
    parent_id uuid, submitted_by uuid, max_attempts integer)
), j AS (
  INSERT INTO jobs (id, name, state, spec, queue, priority, labels, timeout_seconds,
                    concurrency_group, concurrency_limit, concurrency_policy, parent_id, submitted_by, max_attempts${ref.column})
  SELECT ${insertManyColumns.map((c) => (c === 'name' ? "name, 'queued'" : c)).join(', ')}${ref.value} FROM x
  RETURNING ${jobColumns}${ref.column}
)${enqueueThenSelect(inline)}`;
}

/** `insertValues` rows as the JSON array `insertMany` reads; spec and labels are JSON text already. */
function insertManyJson(rows: readonly (readonly unknown[])[]): string {
  const objects = rows.map(
    (v) => '{' + insertManyColumns.map((c, i) => `"${c}":${i === 2 || i === 5 ? String(v[i]) : JSON.stringify(v[i] ?? null)}`).join(',') + '}',
  );
  return '[' + objects.join(',') + ']';
}

/** A failure of the statement itself (a SQLSTATE, not a lost connection): nothing was written. */
function isStatementError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return false;
  const translated = translatePgError(err);
  return !(translated instanceof AppError && translated.code === 'unavailable');
}

export interface JobStoreOptions extends StoreOptions {
  /** Group concurrent plain submits into one statement (default on); `false` writes each alone. */
  readonly insertBatch?: BatchOptions | false;
  /** Group concurrent reads by id into one statement (default on); `false` reads each alone. */
  readonly readBatch?: BatchOptions | false;
  /** The TaskQueue's table is in this database: a submit enqueues its job itself, with no outbox row. */
  readonly inlineEnqueue?: InlineEnqueue;
}

/**
 * A move to `$3` ($1 id, $2 attempt or null, $4 exit code, $5 error reason, $6 phases as JSON),
 * from any state but an end state and not to the state it is in, recorded in job_transitions;
 * CTE `u` holds the moved job, and nothing moves unless `guard` (SQL) holds. Positional, so it
 * can be prepared.
 */
export function transitionCtes(guard = 'true'): string {
  return `prev AS (SELECT id, state FROM jobs WHERE id = $1::uuid AND ($2::int IS NULL OR attempt = $2::int) AND ${guard} FOR UPDATE),
  u AS (
    UPDATE jobs SET state = $3::text, updated_at = now(),
      started_at = CASE WHEN $3::text = 'running' THEN coalesce(jobs.started_at, now()) ELSE jobs.started_at END,
      finished_at = CASE WHEN $3::text IN (${terminalList}) THEN now() ELSE NULL END,
      exit_code = coalesce($4::int, jobs.exit_code),
      error_reason = coalesce($5::text, jobs.error_reason),
      phases = coalesce($6::jsonb, jobs.phases)
    FROM prev WHERE jobs.id = prev.id AND prev.state NOT IN (${terminalList}) AND prev.state <> $3::text
    RETURNING jobs.*, prev.state AS from_state
  ), t AS (
    INSERT INTO job_transitions (job_id, from_state, to_state) SELECT id, from_state, state FROM u
  )`;
}

/** `TransitionInput` as the positional values of `transitionCtes`. */
export function transitionValues(id: string, input: TransitionInput): unknown[] {
  return [
    id,
    input.attempt ?? null,
    input.to,
    input.exitCode ?? null,
    input.errorReason ?? null,
    input.phases === undefined ? null : JSON.stringify(input.phases),
  ];
}

const transitionSql = `WITH ${transitionCtes()} SELECT ${jobColumns} FROM u`;

/** Raised inside a transaction that lost an idempotency race, to roll it back. */
class LostRace extends Error {}

export function createPgJobStore(db: Db, options: JobStoreOptions = {}): JobStore {
  const prepared = options.prepared ?? false;
  const inline = options.inlineEnqueue;
  // Distinct names: a store that enqueues inline may share a connection with one that does not.
  const named = (name: string): string => (inline ? `${name}_inline` : name);
  const insertPlain = insertJobSql(false, inline);
  const insertWithDependencies = insertJobSql(true, inline);
  const insertMany = insertManySql(inline);
  const insertOne = async (values: unknown[]) => db.one<JobRow>(statement(prepared, named('rc_job_insert'), insertPlain, values));
  const batchOptions = options.insertBatch ?? defaultInsertBatch;
  const insertPlainJob =
    batchOptions === false
      ? insertOne
      : statementBatcher<unknown[], JobRow>(
          {
            one: insertOne,
            many: async (rows) => db.many<JobRow>(statement(prepared, named('rc_job_insert_many'), insertMany, [insertManyJson(rows)])),
            keyOfItem: (values) => values[0] as string,
            keyOfResult: (row) => row.id,
            missing: () => {
              throw new Error('batched insert returned no row for a job');
            },
            isStatementError,
          },
          batchOptions,
        );
  const getOne = async (id: string) => db.oneOrNone<JobRow>(statement(prepared, 'rc_job_get', `SELECT ${jobColumns} FROM jobs WHERE id = $1`, [id]));
  const readOptions = options.readBatch ?? defaultReadBatch;
  const getRow =
    readOptions === false
      ? getOne
      : statementBatcher<string, JobRow | null>(
          {
            one: getOne,
            many: async (ids) =>
              db.manyOrNone<JobRow>(statement(prepared, 'rc_job_get_many', `SELECT ${jobColumns} FROM jobs WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]])),
            // The database prints uuids in lower case; a caller may have asked in upper case.
            keyOfItem: (id) => id.toLowerCase(),
            keyOfResult: (row) => row?.id ?? '',
            missing: () => null,
            isStatementError,
          },
          readOptions,
        );

  function insertQuery(spec: JobSpec, input: SubmitInput): Statement {
    return spec.dependsOn.length > 0
      ? statement(prepared, named('rc_job_insert_deps'), insertWithDependencies, insertValues(spec, input))
      : statement(prepared, named('rc_job_insert'), insertPlain, insertValues(spec, input));
  }

  async function checkDependencies(t: Pick<Db, 'manyOrNone'>, spec: JobSpec): Promise<void> {
    if (spec.dependsOn.length === 0) return;
    const ids = spec.dependsOn.map((d) => d.jobId);
    const found = new Set(
      (await t.manyOrNone<{ id: string }>('SELECT id FROM jobs WHERE id IN ($1:csv)', [ids])).map((r) => r.id),
    );
    const missing = ids.findIndex((id) => !found.has(id));
    if (missing >= 0) {
      const field = `spec.dependsOn[${missing}].jobId`;
      // Well-formed, but nothing to wait for: refused (422) rather than accepted and cancelled later.
      throw new AppError('unprocessable', `${field}: no job ${ids[missing]}`, { field });
    }
  }

  async function replay(scope: string, key: string, requestHash: string): Promise<SubmitResult | null> {
    const row = await db.oneOrNone<{ request_hash: string; response: Job }>(
      'SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    if (row === null) return null;
    if (row.request_hash !== requestHash) {
      throw conflict('Idempotency-Key was already used with a different request');
    }
    return { job: row.response, replayed: true };
  }

  async function submit(input: SubmitInput): Promise<SubmitResult> {
    const result = await insert(input);
    if (inline && !result.replayed) inline.committed(result.job);
    return result;
  }

  async function insert(input: SubmitInput): Promise<SubmitResult> {
    const { spec, idempotency } = input;
    if (idempotency === undefined) {
      if (spec.dependsOn.length === 0) {
        return { job: jobFromRow(await insertPlainJob(insertValues(spec, input))), replayed: false };
      }
      return db.tx(async (t) => {
        await checkDependencies(t, spec);
        return { job: jobFromRow(await t.one<JobRow>(insertQuery(spec, input))), replayed: false };
      });
    }
    const { scope, key, requestHash } = idempotency;
    const earlier = await replay(scope, key, requestHash);
    if (earlier !== null) return earlier;
    try {
      return await db.tx(async (t) => {
        await checkDependencies(t, spec);
        const job = jobFromRow(await t.one<JobRow>(insertQuery(spec, input)));
        // A concurrent request with the same key blocks here until the other commits, then inserts nothing.
        const won = await t.oneOrNone(
          `INSERT INTO idempotency_keys (scope, key, request_hash, job_id, response)
           VALUES ($1, $2, $3, $4, $5:json) ON CONFLICT DO NOTHING RETURNING 1`,
          [scope, key, requestHash, job.id, job],
        );
        if (won === null) throw new LostRace();
        return { job, replayed: false };
      });
    } catch (err) {
      if (!(err instanceof LostRace)) throw err;
      const winner = await replay(scope, key, requestHash);
      if (winner === null) throw conflict('Idempotency-Key is in use by a concurrent request');
      return winner;
    }
  }

  async function list(filter: JobFilter, page: { limit: number; after?: JobCursor }): Promise<JobPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => `$${params.push(v)}`;
    if (filter.states !== undefined && filter.states.length > 0) where.push(`state IN (${param(filter.states)}:csv)`);
    if (filter.labels !== undefined && Object.keys(filter.labels).length > 0) {
      where.push(`labels @> ${param(JSON.stringify(filter.labels))}::jsonb`);
    }
    if (filter.name !== undefined) where.push(`name = ${param(filter.name)}`);
    if (filter.createdAfter !== undefined) where.push(`created_at >= ${param(filter.createdAfter)}::timestamptz`);
    if (filter.createdBefore !== undefined) where.push(`created_at < ${param(filter.createdBefore)}::timestamptz`);
    if (filter.parentId !== undefined) where.push(`parent_id = ${param(filter.parentId)}::uuid`);
    if (filter.submittedBy !== undefined) where.push(`submitted_by = ${param(filter.submittedBy)}::uuid`);
    if (page.after !== undefined) {
      where.push(`(created_at, id) < (${param(page.after.createdAt)}::timestamptz, ${param(page.after.id)}::uuid)`);
    }
    const sql = `SELECT ${jobColumns} FROM jobs ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${param(page.limit + 1)}`;
    const rows = await db.manyOrNone<JobRow>(sql, params);
    const jobs = rows.slice(0, page.limit).map(jobFromRow);
    const last = jobs.at(-1);
    const next = rows.length > page.limit && last !== undefined ? { createdAt: last.createdAt, id: last.id } : null;
    return { jobs, next };
  }

  async function requestCancel(id: string, audit?: AuditEvent): Promise<Job | null> {
    return db.tx(async (t) => {
      const cur = await t.oneOrNone<{ state: Job['state']; cancel_requested_at: Date | null }>(
        'SELECT state, cancel_requested_at FROM jobs WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (cur === null) return null;
      if (isTerminal(cur.state)) throw conflict(`job already ended: ${cur.state}`);
      if (cur.state === 'queued' || cur.state === 'waiting') {
        await t.none(
          `UPDATE jobs SET state = 'cancelled', cancel_requested_at = now(), finished_at = now(), updated_at = now()
           WHERE id = $1`,
          [id],
        );
        await t.none(
          `INSERT INTO job_transitions (job_id, from_state, to_state, reason) VALUES ($1, $2, 'cancelled', 'cancel requested')`,
          [id, cur.state],
        );
      } else if (cur.cancel_requested_at === null) {
        await t.none('UPDATE jobs SET cancel_requested_at = now(), updated_at = now() WHERE id = $1', [id]);
      }
      if (cur.cancel_requested_at === null) {
        if (audit) await insertAuditEvent(t, audit);
        await t.none(
          `INSERT INTO job_outbox (job_id, kind, queue, priority) SELECT id, 'cancel', queue, priority FROM jobs WHERE id = $1`,
          [id],
        );
      }
      return jobFromRow(await t.one<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1`, [id]));
    });
  }

  async function transition(id: string, input: TransitionInput): Promise<Job> {
    const row = await db.oneOrNone<JobRow>(statement(prepared, 'rc_job_transition', transitionSql, transitionValues(id, input)));
    if (row !== null) return jobFromRow(row);
    const cur = await db.oneOrNone<{ state: string; attempt: number }>('SELECT state, attempt FROM jobs WHERE id = $1', [id]);
    if (cur === null) throw notFound(`no job ${id}`);
    if (input.attempt !== undefined && cur.attempt !== input.attempt) throw conflict(`job is on attempt ${cur.attempt}, not ${input.attempt}`);
    throw conflict(`job is ${cur.state}; cannot move to ${input.to}`);
  }

  return {
    submit: (input) => pgCall(() => submit(input)),
    get: (id) =>
      pgCall(async () => {
        const row = await getRow(id);
        return row === null ? null : jobFromRow(row);
      }),
    list: (filter, page) => pgCall(() => list(filter, page)),
    countChildren: (parentId, upTo) =>
      pgCall(async () => {
        // Through the jobs_parent index, and no further than asked: a parent at its cap costs the same each time.
        const row = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM jobs WHERE parent_id = $1 LIMIT $2) c', [parentId, upTo]);
        return row.n;
      }),
    requestCancel: (id, audit) => pgCall(() => requestCancel(id, audit)),
    transition: (id, input) => pgCall(() => transition(id, input)),
  };
}
