import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DispatchStore } from '../../../core/ports/dispatch-store.ts';
import type { JobStore } from '../../../core/ports/job-store.ts';
import type { JobTokenStore } from '../../../core/ports/job-token-store.ts';
import type { TokenStore } from '../../../core/ports/token-store.ts';
import type { Db } from '../database.ts';
import { sampleSpec } from './store-contract.ts';

export interface JobTokenFixture {
  readonly jobs: JobStore;
  readonly tokens: TokenStore;
  readonly jobTokens: JobTokenStore;
  readonly dispatch: DispatchStore;
  readonly db: Db;
}

const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

/** What a job token is: its submitter's role, live only while its job runs, revocable by job. */
export function jobTokenContract(name: string, get: () => JobTokenFixture): void {
  const setState = (id: string, state: string) => get().db.none('UPDATE jobs SET state = $2 WHERE id = $1', [id, state]);

  async function submittedBy(role: 'maintainer' | 'contributor') {
    const { tokens, jobs } = get();
    const submitter = await tokens.create({ name: role, role, expiresAt: null, createdBy: null });
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: submitter.info.id });
    return { job, submitter: submitter.info };
  }

  test(`${name}: a job token carries its submitter's role and is live only while the job starts or runs`, async () => {
    const { tokens, jobTokens } = get();
    const { job, submitter } = await submittedBy('contributor');
    const minted = await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() });
    assert.ok(minted);
    assert.equal(minted.role, 'contributor');
    assert.match(minted.token, /^rct_/);
    assert.equal(await tokens.verify(minted.token), null, 'the job is still queued');
    for (const state of ['starting', 'running'] as const) {
      await setState(job.id, state);
      const info = await tokens.verify(minted.token);
      assert.equal(info?.jobId, job.id);
      assert.equal(info?.role, 'contributor');
      assert.equal(info?.createdBy, submitter.id);
    }
    await setState(job.id, 'succeeded');
    assert.equal(await tokens.verify(minted.token), null, 'the job ended');
  });

  test(`${name}: revokeFor ends every live token of the job; an expired one is refused`, async () => {
    const { tokens, jobTokens } = get();
    const { job } = await submittedBy('maintainer');
    await setState(job.id, 'running');
    const first = await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() });
    const second = await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() });
    const expired = await jobTokens.mint({ jobId: job.id, expiresAt: new Date(Date.now() - 1000).toISOString() });
    assert.ok(first && second && expired);
    assert.ok(await tokens.verify(first.token));
    assert.equal(await tokens.verify(expired.token), null);
    assert.equal(await jobTokens.revokeFor(job.id), 3);
    assert.equal(await tokens.verify(first.token), null);
    assert.equal(await tokens.verify(second.token), null);
    assert.equal(await jobTokens.revokeFor(job.id), 0);
    const audit = await get().db.manyOrNone<{ action: string; actor: string | null }>(
      `SELECT action, actor_token_id AS actor FROM audit_log WHERE target_kind = 'token' AND target_id IN ($1:csv) ORDER BY created_at, action`,
      [[first.id, second.id, expired.id]],
    );
    assert.deepEqual(audit.map((a) => a.action).sort(), ['token.create', 'token.create', 'token.create', 'token.revoke', 'token.revoke', 'token.revoke']);
    assert.ok(audit.every((a) => a.actor === null), 'the system mints and revokes job tokens');
  });

  test(`${name}: a run's tokens die with the run, in the same transaction, audited: at its end and when it goes back to queued for a retry`, async () => {
    const { tokens, jobTokens, db } = get();
    const audited = async (ids: readonly string[]) =>
      (
        await db.manyOrNone<{ detail: { reason: string } }>(
          `SELECT detail FROM audit_log WHERE action = 'token.revoke' AND actor_token_id IS NULL AND target_id IN ($1:csv)`,
          [ids],
        )
      ).map((a) => a.detail.reason);
    const { job } = await submittedBy('maintainer');
    await setState(job.id, 'starting');
    const first = await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() });
    await setState(job.id, 'running');
    assert.ok(first && (await tokens.verify(first.token)));
    // The attempt ends and the job goes back to queued for its next one: the next run must not
    // bring this token back to life.
    await setState(job.id, 'queued');
    assert.deepEqual(await audited([first.id]), ['the run ended']);
    await setState(job.id, 'running');
    assert.equal(await tokens.verify(first.token), null, "the last attempt's token stays dead");
    const second = await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() });
    assert.ok(second && (await tokens.verify(second.token)));
    await setState(job.id, 'failed');
    assert.equal(await tokens.verify(second.token), null);
    assert.deepEqual(await audited([second.id]), ['the run ended']);
    assert.equal(await jobTokens.revokeFor(job.id), 0, 'nothing left to revoke');
  });

  test(`${name}: no token for a job nobody's token submitted, or no job at all; never one without an expiry`, async () => {
    const { jobs, jobTokens, db } = get();
    const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
    assert.equal(await jobTokens.mint({ jobId: job.id, expiresAt: inAnHour() }), null);
    assert.equal(await jobTokens.mint({ jobId: '00000000-0000-4000-8000-000000000000', expiresAt: inAnHour() }), null);
    await assert.rejects(
      db.none(`INSERT INTO api_tokens (id, lookup, hash, name, role, job_id) VALUES ($1, $2, '\\x00', 'no expiry', 'maintainer', $3)`, [
        randomUUID(),
        randomUUID().slice(0, 12),
        job.id,
      ]),
      /api_tokens_job_token_expires/,
    );
  });

  test(`${name}: a run started with its token: one statement starts the job and mints the token, expiring its timeout plus the grace after`, async () => {
    const { tokens, jobs, dispatch, db } = get();
    const terms = { graceSeconds: 300, maxTimeoutSeconds: 86_400 };
    const { job, submitter } = await submittedBy('contributor');
    const before = Date.now();
    const started = await dispatch.startRun(job.id, 'd1', terms);
    assert.ok(started?.token);
    assert.equal(started.job.state, 'starting');
    assert.equal(started.token.role, 'contributor');
    const info = await tokens.verify(started.token.token);
    assert.equal(info?.jobId, job.id);
    assert.equal(info?.createdBy, submitter.id);
    const expiry = Date.parse(started.token.expiresAt) - before;
    const timeout = job.spec.timeout;
    assert.ok(expiry >= (timeout + 300) * 1000 - 2000 && expiry <= (timeout + 300) * 1000 + 5000, `expires in ${expiry} ms`);
    const audit = await db.manyOrNone<{ action: string; detail: { jobId: string; role: string } }>(
      `SELECT action, detail FROM audit_log WHERE target_kind = 'token' AND target_id = $1`,
      [started.token.id],
    );
    assert.deepEqual(audit.map((a) => [a.action, a.detail.jobId, a.detail.role]), [['token.create', job.id, 'contributor']]);
    // A start that does not happen (the job is no longer queued) mints nothing.
    const count = () => db.one<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE job_id = $1', [job.id]);
    assert.equal(await dispatch.startRun(job.id, 'd2', terms), null);
    assert.equal((await count()).n, 1);
    // The token dies with the run, as any job token.
    await jobs.transition(job.id, { to: 'running' });
    await jobs.transition(job.id, { to: 'succeeded', exitCode: 0 });
    assert.equal(await tokens.verify(started.token.token), null);
    // A job no token submitted starts without one; a job with no timeout gets the longest.
    const system = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job;
    const bare = await dispatch.startRun(system.id, 'd1', terms);
    assert.equal(bare?.job.id, system.id);
    assert.equal(bare?.token, null);
    const untimed = await submittedBy('maintainer');
    await db.none('UPDATE jobs SET timeout_seconds = 0 WHERE id = $1', [untimed.job.id]);
    const long = await dispatch.startRun(untimed.job.id, 'd1', terms);
    assert.ok(long?.token);
    assert.ok(Date.parse(long.token.expiresAt) - Date.now() > (86_400 + 300) * 1000 - 5000);
  });
}
