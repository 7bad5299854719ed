import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { TaskQueue } from '../task-queue.ts';

export interface TaskQueueFixture {
  /** The queue under test. */
  readonly queue: TaskQueue;
  /**
   * Another instance of the same adapter over its own connection, as a second process would
   * have: what it writes, `queue` must see, and (where `wakesOnEnqueue`) its enqueues must wake
   * `queue`'s waiters. It must already be able to deliver wake-ups (LISTEN in place).
   */
  readonly peer: TaskQueue;
  /** A second enqueue of the same job and queue returns the first task (pgqueue, not Corndogs). */
  readonly idempotentEnqueue: boolean;
  /** waitForWork returns before its timeout when work arrives (false: the adapter only polls). */
  readonly wakesOnEnqueue: boolean;
}

// Guards for tests that wait: a wait that never ends fails here instead of hanging the suite.
// They bound a hang, they do not measure speed.
const guard = { timeout: 20_000 };
const freshQueue = (): string => `q-${randomUUID()}`;

async function drain(q: TaskQueue, queue: string): Promise<string[]> {
  const jobs: string[] = [];
  for (let t = await q.claim(queue, 60); t !== null; t = await q.claim(queue, 60)) jobs.push(t.jobId);
  return jobs;
}

async function rejectsWith(code: string, run: () => Promise<unknown>): Promise<void> {
  await assert.rejects(run, (err: unknown) => err instanceof AppError && err.code === code);
}

/**
 * What every TaskQueue must do, run against each adapter (and the Corndogs stand-in) with the
 * same assertions. Each test works in a queue of its own, so tests share the fixture safely.
 */
export function taskQueueContract(name: string, fixture: () => TaskQueueFixture): void {
  test(`${name}: claims by priority, then the task claimable longest`, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    for (const [jobId, priority] of [['a', 0], ['b', 5], ['c', 0], ['d', 5], ['e', 9], ['f', -3]] as const) {
      await q.enqueue({ jobId, queue, priority });
    }
    assert.deepEqual(await drain(q, queue), ['e', 'b', 'd', 'a', 'c', 'f']);
    assert.equal(await q.claim(queue, 60), null);
  });

  test(`${name}: a claim carries the job, the enqueue's ref and the lease end`, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    const jobId = randomUUID();
    const { ref } = await q.enqueue({ jobId, queue, priority: 7 });
    const before = Date.now();
    const t = await q.claim(queue, 120);
    assert.ok(t !== null);
    assert.deepEqual({ jobId: t.jobId, queue: t.queue, priority: t.priority, ref: t.ref }, { jobId, queue, priority: 7, ref });
    // Loose bounds: the lease is about two minutes out, not a timing measurement.
    assert.ok(t.leaseExpiresAt > before + 60_000 && t.leaseExpiresAt < before + 180_000, `lease end ${t.leaseExpiresAt}`);
  });

  test(`${name}: queues are separate`, async () => {
    const { queue: q } = fixture();
    const [one, two] = [freshQueue(), freshQueue()];
    await q.enqueue({ jobId: 'x', queue: one, priority: 0 });
    assert.equal(await q.claim(two, 60), null);
    assert.equal((await q.claim(one, 60))?.jobId, 'x');
  });

  test(`${name}: a waiting task is not claimable until released`, async () => {
    const { queue: q, peer } = fixture();
    const queue = freshQueue();
    const w = await q.enqueue({ jobId: 'waits', queue, priority: 10, waiting: true });
    await q.enqueue({ jobId: 'ready', queue, priority: 0 });
    assert.deepEqual(await drain(q, queue), ['ready']);
    await peer.release(w.ref, queue);
    const t = await q.claim(queue, 60);
    assert.equal(t?.jobId, 'waits');
    // Releasing a claimed task, twice, changes nothing.
    await q.release(w.ref, queue);
    await q.release(w.ref, queue);
    assert.equal(await q.claim(queue, 60), null);
    assert.ok(t !== null);
    await q.complete(t);
    await q.release(w.ref, queue); // gone: a no-op
    assert.equal(await q.claim(queue, 60), null);
  });

  test(`${name}: enqueue of the same job twice`, async (t) => {
    const { queue: q, peer, idempotentEnqueue } = fixture();
    if (!idempotentEnqueue) {
      t.skip('the backend makes its own ids; the dispatcher completes duplicate claims');
      return;
    }
    const queue = freshQueue();
    const first = await q.enqueue({ jobId: 'j', queue, priority: 1 });
    const second = await peer.enqueue({ jobId: 'j', queue, priority: 1 });
    assert.equal(second.ref, first.ref);
    // Also while claimed: the relay repeating itself must not resurrect or duplicate the task.
    const claimed = await q.claim(queue, 60);
    assert.equal((await q.enqueue({ jobId: 'j', queue, priority: 1 })).ref, first.ref);
    assert.equal(await q.claim(queue, 60), null);
    assert.equal(claimed?.ref, first.ref);
  });

  test(`${name}: racing claimers each get a task exactly once`, guard, async () => {
    const { queue: q, peer } = fixture();
    const queue = freshQueue();
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    for (const jobId of ids) await q.enqueue({ jobId, queue, priority: 0 });
    const claimed: string[][] = await Promise.all(Array.from({ length: 8 }, (_, i) => drain(i % 2 === 0 ? q : peer, queue)));
    const all = claimed.flat();
    assert.equal(all.length, 200);
    assert.deepEqual([...all].sort(), [...ids].sort());
  });

  test(`${name}: an expired lease is reclaimed, and the lost claim cannot be extended`, async () => {
    const { queue: q, peer } = fixture();
    const queue = freshQueue();
    await q.enqueue({ jobId: 'dies', queue, priority: 0 });
    const dead = await q.claim(queue, 30);
    assert.ok(dead !== null);
    assert.equal(await peer.reclaimExpired(queue), 0, 'a live lease is not reclaimed');
    assert.equal(await peer.claim(queue, 30), null);
    assert.equal(await peer.reclaimExpired(queue, new Date(Date.now() + 120_000)), 1);
    const again = await peer.claim(queue, 30);
    assert.equal(again?.jobId, 'dies');
    await rejectsWith('not_found', () => q.extend(dead, 30));
  });

  test(`${name}: extend keeps the claim past its first lease`, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    await q.enqueue({ jobId: 'long', queue, priority: 0 });
    const t = await q.claim(queue, 1);
    assert.ok(t !== null);
    const t2 = await q.extend(t, 600);
    assert.ok(t2.leaseExpiresAt > t.leaseExpiresAt + 60_000);
    assert.equal(await q.reclaimExpired(queue, new Date(Date.now() + 60_000)), 0);
    assert.equal(await q.claim(queue, 60), null);
    const t3 = await q.extend(t2, 600); // extending the extended claim works again
    assert.equal(await q.reclaimExpired(queue, new Date(t3.leaseExpiresAt + 60_000)), 1);
  });

  test(`${name}: requeue makes a claimed task claimable again, behind its peers`, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    await q.enqueue({ jobId: 'a', queue, priority: 3 });
    await q.enqueue({ jobId: 'b', queue, priority: 3 });
    const a = await q.claim(queue, 60);
    assert.equal(a?.jobId, 'a');
    assert.ok(a !== null);
    await q.requeue(a);
    assert.deepEqual(await drain(q, queue), ['b', 'a']);
  });

  test(`${name}: complete and remove are idempotent`, async () => {
    const { queue: q, peer } = fixture();
    const queue = freshQueue();
    const c = await q.enqueue({ jobId: 'claimed', queue, priority: 0 });
    const t = await q.claim(queue, 60);
    assert.equal(t?.ref, c.ref);
    assert.ok(t !== null);
    await q.complete(t);
    await peer.complete(t);
    await rejectsWith('not_found', () => q.extend(t, 60));
    const ready = await q.enqueue({ jobId: 'ready', queue, priority: 0 });
    const waiting = await q.enqueue({ jobId: 'waiting', queue, priority: 0, waiting: true });
    await q.enqueue({ jobId: 'running', queue, priority: -1 });
    assert.equal((await q.claim(queue, 60))?.jobId, 'ready');
    for (const ref of [ready.ref, waiting.ref, ready.ref, waiting.ref]) await peer.remove(ref, queue);
    const last = await q.claim(queue, 60);
    assert.equal(last?.jobId, 'running');
    assert.ok(last !== null);
    await q.remove(last.ref, queue);
    await q.remove(last.ref, queue);
    await q.release(waiting.ref, queue);
    assert.equal(await q.claim(queue, 60), null);
    const counts = (await q.counts())[queue];
    assert.ok(counts === undefined || (counts.claimable === 0 && counts.claimed === 0 && counts.waiting === 0), JSON.stringify(counts));
  });

  test(`${name}: counts by state`, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    await q.enqueue({ jobId: 'a', queue, priority: 0 });
    await q.enqueue({ jobId: 'b', queue, priority: 0 });
    await q.enqueue({ jobId: 'c', queue, priority: 0, waiting: true });
    await q.claim(queue, 60);
    assert.deepEqual((await q.counts())[queue], { claimable: 1, claimed: 1, waiting: 1 });
  });

  test(`${name}: waitForWork returns by its timeout when nothing comes`, guard, async () => {
    const { queue: q } = fixture();
    await q.waitForWork(freshQueue(), 30);
  });

  test(`${name}: an abort signal ends the wait`, guard, async () => {
    const { queue: q } = fixture();
    const queue = freshQueue();
    await q.waitForWork(queue, 600_000, AbortSignal.abort());
    const ac = new AbortController();
    const waiting = q.waitForWork(queue, 600_000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await waiting;
  });

  test(`${name}: enqueueMany adds several tasks in one call, refs in order, the same as enqueue one by one`, async (t) => {
    const { queue: q, peer, idempotentEnqueue, wakesOnEnqueue } = fixture();
    if (q.enqueueMany === undefined) {
      t.skip('the adapter enqueues one task per call');
      return;
    }
    const queue = freshQueue();
    const other = freshQueue();
    const woken = wakesOnEnqueue ? peer.waitForWork(other, 600_000) : Promise.resolve();
    const before = idempotentEnqueue ? await q.enqueue({ jobId: 'm0', queue, priority: 0 }) : null;
    const refs = await q.enqueueMany([
      { jobId: 'm1', queue, priority: 1 },
      { jobId: 'm2', queue: other, priority: 0 },
      { jobId: 'm3', queue, priority: 5, waiting: true },
      ...(idempotentEnqueue ? [{ jobId: 'm0', queue, priority: 0 }] : []),
    ]);
    assert.equal(refs.length, idempotentEnqueue ? 4 : 3);
    assert.equal(new Set(refs.map((r) => r.ref)).size, refs.length);
    if (before !== null) assert.equal(refs[3]?.ref, before.ref, 'a job already enqueued keeps its task');
    await woken;
    const claimed = await q.claim(queue, 60);
    assert.equal(claimed?.jobId, 'm1');
    assert.equal(claimed.ref, refs[0]?.ref);
    assert.equal((await q.claim(other, 60))?.ref, refs[1]?.ref);
    assert.deepEqual(await drain(q, queue), before === null ? [] : ['m0'], 'the waiting task is not claimable');
    await q.release(refs[2]?.ref ?? '', queue);
    assert.equal((await q.claim(queue, 60))?.jobId, 'm3');
    assert.deepEqual(await q.enqueueMany([]), []);
  });

  test(`${name}: waitForWork wakes on another connection's enqueue and release`, guard, async (t) => {
    const { queue: q, peer, wakesOnEnqueue } = fixture();
    if (!wakesOnEnqueue) {
      t.skip('the backend never pushes: waiters poll by their timeout');
      return;
    }
    const queue = freshQueue();
    // The timeout is far beyond the guard: only a wake-up can end these waits in time.
    const first = q.waitForWork(queue, 600_000);
    await peer.enqueue({ jobId: 'wake', queue, priority: 0 });
    await first;
    const w = await peer.enqueue({ jobId: 'later', queue, priority: 0, waiting: true });
    const second = q.waitForWork(queue, 600_000);
    await peer.release(w.ref, queue);
    await second;
    assert.deepEqual((await drain(q, queue)).sort(), ['later', 'wake']);
  });

  test(`${name}: rejects a non-positive lease`, async () => {
    const { queue: q } = fixture();
    await rejectsWith('invalid_input', () => q.claim(freshQueue(), 0));
  });
}
