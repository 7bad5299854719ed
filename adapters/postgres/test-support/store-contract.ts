import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec } from '../../../core/job-spec.ts';
import type { JobStore } from '../../../core/ports/job-store.ts';
import type { LogStore } from '../../../core/ports/log-store.ts';
import type { TokenStore } from '../../../core/ports/token-store.ts';
import { AppError } from '../../../core/errors.ts';
import type { Db } from '../database.ts';

export interface StoreFixture {
  readonly jobs: JobStore;
  readonly logs: LogStore;
  readonly tokens: TokenStore;
  /** Raw access to check what the port cannot show (the outbox). */
  readonly db: Db;
}

export function sampleSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    source: { kind: 'tarball', url: 'https://example.com/src.tar.gz' },
    env: {},
    secrets: [],
    resources: {},
    timeout: 600,
    priority: 0,
    queue: 'default',
    labels: {},
    dependsOn: [],
    ...overrides,
  };
}

/** The order list pages use: created_at, then id, both descending. */
export function newestFirst(jobs: readonly { id: string; createdAt: string }[]): string[] {
  return [...jobs]
    .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
    .map((j) => j.id);
}

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

/**
 * The behaviour every JobStore/LogStore/TokenStore must show, run against real Postgres and
 * against embedded PGlite (reached in-process) by their test files.
 */
export function storeContract(label: string, fixture: () => StoreFixture): void {
  test(`${label}: submit writes the job and its outbox entry together`, async () => {
    const { jobs, db } = fixture();
    const { job, replayed } = await jobs.submit({ spec: sampleSpec({ name: 'a', labels: { k: 'v' } }), submittedBy: null });
    assert.equal(replayed, false);
    assert.equal(job.state, 'queued');
    assert.equal(job.name, 'a');
    assert.deepEqual(job.labels, { k: 'v' });
    const outbox = await db.manyOrNone<{ kind: string }>('SELECT kind FROM job_outbox WHERE job_id = $1', [job.id]);
    assert.deepEqual(outbox, [{ kind: 'enqueue' }]);
    assert.deepEqual(await jobs.get(job.id), job);
    assert.equal(await jobs.get('00000000-0000-4000-8000-000000000000'), null);
  });

  test(`${label}: idempotency replays the first response and refuses a different body`, async () => {
    const { jobs } = fixture();
    const idem = { scope: 'tok', key: `k1-${randomUUID()}`, requestHash: 'h1' };
    const first = await jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency: idem });
    const again = await jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency: idem });
    assert.equal(again.replayed, true);
    assert.deepEqual(again.job, first.job);
    await assert.rejects(jobs.submit({ spec: sampleSpec({ priority: 5 }), submittedBy: null, idempotency: { ...idem, requestHash: 'h2' } }), isCode('conflict'));
    const other = await jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency: { ...idem, scope: 'other' } });
    assert.notEqual(other.job.id, first.job.id);
  });

  test(`${label}: concurrent submissions with one key create one job`, async () => {
    const { jobs } = fixture();
    const idem = { scope: 'tok', key: `race-${randomUUID()}`, requestHash: 'h' };
    const results = await Promise.all(Array.from({ length: 6 }, () => jobs.submit({ spec: sampleSpec(), submittedBy: null, idempotency: idem })));
    assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
    assert.equal(results.filter((r) => !r.replayed).length, 1);
  });

  test(`${label}: dependencies must name existing jobs`, async () => {
    const { jobs, db } = fixture();
    const dep = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const ok = await jobs.submit({ spec: sampleSpec({ dependsOn: [{ jobId: dep.job.id, states: ['succeeded', 'failed'] }] }), submittedBy: null });
    // Waiting for its dependency (migration 0007), which has not ended.
    assert.equal(ok.job.state, 'waiting');
    const edges = await db.manyOrNone<{ depends_on: string; states: string[] }>('SELECT depends_on, states FROM job_dependencies WHERE job_id = $1', [ok.job.id]);
    assert.deepEqual(edges, [{ depends_on: dep.job.id, states: ['succeeded', 'failed'] }]);
    await assert.rejects(
      jobs.submit({ spec: sampleSpec({ dependsOn: [{ jobId: dep.job.id, states: ['succeeded'] }, { jobId: '00000000-0000-4000-8000-000000000001', states: ['succeeded'] }] }), submittedBy: null }),
      (err: unknown) => err instanceof AppError && err.code === 'unprocessable' && err.details?.['field'] === 'spec.dependsOn[1].jobId',
    );
  });

  test(`${label}: list pages newest first by cursor, stable while jobs are inserted, and filters`, async () => {
    const { jobs } = fixture();
    const tag = `run-${Math.random()}`;
    const made: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 7; i++) {
      made.push((await jobs.submit({ spec: sampleSpec({ name: i % 2 === 0 ? 'even' : 'odd', labels: { tag } }), submittedBy: null })).job);
    }
    const seen: string[] = [];
    let page = await jobs.list({ labels: { tag } }, { limit: 3 });
    seen.push(...page.jobs.map((j) => j.id));
    // New jobs arrive between pages; they must not shift what the next page holds.
    await jobs.submit({ spec: sampleSpec({ labels: { tag } }), submittedBy: null });
    while (page.next !== null) {
      page = await jobs.list({ labels: { tag } }, { limit: 3, after: page.next });
      seen.push(...page.jobs.map((j) => j.id));
    }
    // Every job exactly once, in keyset order (jobs created in the same millisecond order by id).
    assert.deepEqual(seen, newestFirst(made));
    const evens = await jobs.list({ labels: { tag }, name: 'even' }, { limit: 100 });
    assert.equal(evens.jobs.length, 4);
    const none = await jobs.list({ labels: { tag }, states: ['running'] }, { limit: 100 });
    assert.equal(none.jobs.length, 0);
    const future = await jobs.list({ labels: { tag }, createdAfter: new Date(Date.now() + 60_000).toISOString() }, { limit: 100 });
    assert.equal(future.jobs.length, 0);
  });

  test(`${label}: transitions record times and terminal states never change`, async () => {
    const { jobs, db } = fixture();
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const running = await jobs.transition(job.id, { to: 'running' });
    assert.notEqual(running.startedAt, null);
    const phases = [{ phase: 'run' as const, startedAt: running.startedAt ?? '', finishedAt: running.startedAt ?? '', durationMs: 0, outcome: 'failed' as const }];
    const done = await jobs.transition(job.id, { to: 'failed', exitCode: 3, errorReason: 'exit 3', phases });
    assert.equal(done.exitCode, 3);
    assert.equal(done.errorReason, 'exit 3');
    assert.deepEqual(done.phases, phases);
    assert.notEqual(done.finishedAt, null);
    await assert.rejects(jobs.transition(job.id, { to: 'running' }), isCode('conflict'));
    await assert.rejects(jobs.transition('00000000-0000-4000-8000-000000000002', { to: 'running' }), isCode('not_found'));
    const history = await db.manyOrNone<{ from_state: string; to_state: string }>('SELECT from_state, to_state FROM job_transitions WHERE job_id = $1 ORDER BY id', [job.id]);
    assert.deepEqual(history.map((h) => [h.from_state, h.to_state]), [['queued', 'running'], ['running', 'failed']]);
  });

  test(`${label}: cancel ends a queued job at once and asks the dispatcher to stop a running one`, async () => {
    const { jobs, db } = fixture();
    const queued = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job;
    const cancelled = await jobs.requestCancel(queued.id);
    assert.equal(cancelled?.state, 'cancelled');
    await assert.rejects(jobs.requestCancel(queued.id), isCode('conflict'));
    const running = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job;
    await jobs.transition(running.id, { to: 'running' });
    const asked = await jobs.requestCancel(running.id);
    assert.equal(asked?.state, 'running');
    assert.notEqual(asked?.cancelRequestedAt, null);
    await jobs.requestCancel(running.id);
    const outbox = await db.manyOrNone<{ kind: string }>('SELECT kind FROM job_outbox WHERE job_id = $1 ORDER BY id', [running.id]);
    assert.deepEqual(outbox.map((o) => o.kind), ['enqueue', 'cancel']);
    assert.equal(await jobs.requestCancel('00000000-0000-4000-8000-000000000003'), null);
  });

  test(`${label}: logs append in order with offsets and read from any offset`, async () => {
    const { jobs, logs } = fixture();
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const rec = (text: string) => ({ ts: new Date().toISOString(), stream: 'stdout' as const, phase: 'run' as const, text });
    assert.deepEqual(await logs.append(job.id, [rec('a'), rec('b')]), { firstOffset: 0, nextOffset: 2 });
    assert.deepEqual(await logs.append(job.id, []), { firstOffset: 2, nextOffset: 2 });
    await Promise.all([logs.append(job.id, [rec('c')]), logs.append(job.id, [rec('d'), rec('e')])]);
    const all = await logs.read(job.id, 0, 100);
    assert.deepEqual(all.records.map((r) => r.offset), [0, 1, 2, 3, 4]);
    assert.equal(all.nextOffset, 5);
    const tail = await logs.read(job.id, 3, 1);
    assert.equal(tail.records.length, 1);
    assert.equal(tail.records[0]?.offset, 3);
    assert.equal(tail.nextOffset, 4);
    assert.deepEqual(await logs.read(job.id, 5, 10), { records: [], nextOffset: 5 });
    await assert.rejects(logs.append('00000000-0000-4000-8000-000000000004', [rec('x')]), isCode('not_found'));
  });

  test(`${label}: the first records of a starting attempt record it running, with its transition, once`, async () => {
    const { jobs, logs, db } = fixture();
    const rec = (text: string) => ({ ts: new Date().toISOString(), stream: 'stdout' as const, phase: 'run' as const, text });
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const moves = async () => (await db.manyOrNone<{ to_state: string }>('SELECT to_state FROM job_transitions WHERE job_id = $1 ORDER BY id', [job.id])).map((t) => t.to_state);
    // A queued job, records without the option, or another attempt's: nothing moves.
    await logs.append(job.id, [rec('early')], { running: 1 });
    assert.equal((await jobs.get(job.id))?.state, 'queued');
    await jobs.transition(job.id, { to: 'starting', attempt: 1 });
    await logs.append(job.id, [rec('plain')]);
    await logs.append(job.id, [rec('stale')], { running: 2 });
    assert.equal((await jobs.get(job.id))?.state, 'starting');
    assert.deepEqual(await logs.append(job.id, [rec('a'), rec('b')], { running: 1 }), { firstOffset: 3, nextOffset: 5 });
    const running = await jobs.get(job.id);
    assert.equal(running?.state, 'running');
    assert.notEqual(running?.startedAt, null);
    await logs.append(job.id, [rec('c')], { running: 1 });
    assert.deepEqual(await moves(), ['starting', 'running']);
    await jobs.transition(job.id, { to: 'succeeded', attempt: 1 });
    await logs.append(job.id, [rec('late')], { running: 1 });
    assert.equal((await jobs.get(job.id))?.state, 'succeeded');
    assert.deepEqual((await logs.read(job.id, 0, 10)).records.map((r) => r.text), ['early', 'plain', 'stale', 'a', 'b', 'c', 'late']);
  });

  test(`${label}: a run's records are written only while its dispatcher runs its attempt; others are refused and write nothing`, async () => {
    const { jobs, logs, db } = fixture();
    const rec = (text: string) => ({ ts: new Date().toISOString(), stream: 'stdout' as const, phase: 'run' as const, text });
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    const d1 = { dispatcherId: 'd1', attempt: 1 };
    // Queued: no run owns it yet.
    await assert.rejects(logs.append(job.id, [rec('queued')], { owner: d1 }), isCode('conflict'));
    await db.none(`UPDATE jobs SET state = 'starting', dispatched_by = 'd1' WHERE id = $1`, [job.id]);
    assert.deepEqual(await logs.append(job.id, [rec('a')], { owner: d1, running: 1 }), { firstOffset: 0, nextOffset: 1 });
    assert.equal((await jobs.get(job.id))?.state, 'running');
    // Another dispatcher, or another attempt of this one: refused, saying why.
    await assert.rejects(logs.append(job.id, [rec('other')], { owner: { dispatcherId: 'd2', attempt: 1 } }), (err: Error) => {
      assert.equal((err as { code?: string }).code, 'conflict');
      assert.match(err.message, /refused: job .* is running on attempt 1, no longer run by this dispatcher/);
      return true;
    });
    await assert.rejects(logs.append(job.id, [rec('stale')], { owner: { dispatcherId: 'd1', attempt: 2 } }), isCode('conflict'));
    // Taken over (the same attempt, followed by d2): d1, cut off, can write no more.
    await db.none(`UPDATE jobs SET dispatched_by = 'd2' WHERE id = $1`, [job.id]);
    await assert.rejects(logs.append(job.id, [rec('cut off')], { owner: d1 }), isCode('conflict'));
    assert.deepEqual(await logs.append(job.id, [rec('b')], { owner: { dispatcherId: 'd2', attempt: 1 } }), { firstOffset: 1, nextOffset: 2 });
    // Ended: no run writes; the settling dispatcher's own note (no owner) still can.
    await jobs.transition(job.id, { to: 'succeeded', attempt: 1 });
    await assert.rejects(logs.append(job.id, [rec('late')], { owner: { dispatcherId: 'd2', attempt: 1 } }), isCode('conflict'));
    assert.deepEqual(await logs.append(job.id, [rec('note')]), { firstOffset: 2, nextOffset: 3 });
    assert.deepEqual((await logs.read(job.id, 0, 10)).records.map((r) => r.text), ['a', 'b', 'note']);
    await assert.rejects(logs.append('00000000-0000-4000-8000-000000000005', [rec('x')], { owner: d1 }), isCode('not_found'));
  });

  test(`${label}: tokens verify by hash, expire and revoke`, async () => {
    const { tokens, db } = fixture();
    const { token, info } = await tokens.create({ name: 'ci', role: 'maintainer', expiresAt: null, createdBy: null });
    assert.match(token, /^rct_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await tokens.verify(token), info);
    const stored = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE hash::text LIKE $1', [`%${token.slice(20)}%`]);
    assert.equal(stored.n, 0);
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    assert.equal(await tokens.verify(forged), null);
    assert.equal(await tokens.verify('not a token'), null);
    const expired = await tokens.create({ name: 'old', role: 'viewer', expiresAt: new Date(Date.now() - 1000).toISOString(), createdBy: info.id });
    assert.equal(await tokens.verify(expired.token), null);
    assert.equal(await tokens.revoke(info.id), true);
    assert.equal(await tokens.revoke(info.id), false);
    assert.equal(await tokens.verify(token), null);
  });
}
