import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { AppError } from '../../core/errors.ts';
import { taskQueueContract, type TaskQueueFixture } from '../../core/ports/test-support/task-queue-contract.ts';
import { createCorndogsClient } from './corndogs-client.ts';
import { loadCorndogsDefinitions } from './corndogs-proto.ts';
import { createCorndogsTaskQueue, type CorndogsTaskQueue } from './corndogs-task-queue.ts';
import { startFakeCorndogs, type FakeCorndogs } from './test-support/fake-corndogs-server.ts';

// The adapter against the in-process Corndogs on a real gRPC server over loopback; `peer` is a
// second client with its own channel, as a second dispatcher would be.
let server: FakeCorndogs;
let queue: CorndogsTaskQueue;
let peer: CorndogsTaskQueue;
before(async () => {
  server = await startFakeCorndogs();
  queue = createCorndogsTaskQueue({ address: server.address });
  peer = createCorndogsTaskQueue({ address: server.address });
});
after(async () => {
  await queue.close();
  await peer.close();
  await server.close();
});

const fixture = (): TaskQueueFixture => ({ queue, peer, idempotentEnqueue: false, wakesOnEnqueue: false });
taskQueueContract('corndogs', fixture);

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

test('gRPC failures become the closed error set', async () => {
  server.failNext('GetNextTask', grpc.status.UNAVAILABLE);
  await assert.rejects(() => queue.claim('errors', 60), isCode('unavailable'));
  server.failNext('GetNextTask', grpc.status.DEADLINE_EXCEEDED);
  await assert.rejects(() => queue.claim('errors', 60), isCode('unavailable'));
  server.failNext('SubmitTask', grpc.status.INVALID_ARGUMENT);
  await assert.rejects(() => queue.enqueue({ jobId: 'j', queue: 'errors', priority: 0 }), isCode('invalid_input'));
  server.failNext('GetTaskStateByID', grpc.status.NOT_FOUND);
  await assert.rejects(() => queue.release('some-uuid', 'errors'), isCode('not_found'));
  server.failNext('CompleteTask', grpc.status.PERMISSION_DENIED);
  await assert.rejects(
    () => queue.complete({ jobId: 'j', queue: 'errors', priority: 0, ref: 'x', leaseExpiresAt: 0 }),
    isCode('internal'),
  );
  // And the client works again afterwards.
  assert.equal(await queue.claim('errors', 60), null);
});

test('a server that is not there is unavailable, within the call deadline', { timeout: 20_000 }, async () => {
  const gone = createCorndogsTaskQueue({ address: '127.0.0.1:1', callTimeoutMs: 500 });
  await assert.rejects(() => gone.claim('x', 60), isCode('unavailable'));
  await assert.rejects(() => gone.healthy(), isCode('unavailable'));
  await gone.close();
});

test('health check over grpc.health.v1', async () => {
  assert.equal(await queue.healthy(), true);
});

test('extend and requeue send every field, so priority and payload survive', async () => {
  const q = 'all-fields';
  const { ref } = await queue.enqueue({ jobId: 'keeps', queue: q, priority: 42 });
  const t = await queue.claim(q, 30);
  assert.ok(t !== null);
  const t2 = await queue.extend(t, 60);
  await queue.requeue(t); // a stale claim: ignored
  await queue.requeue(await queue.extend(t2, 90));
  const raw = createCorndogsClient(loadCorndogsDefinitions(), { address: server.address, callTimeoutMs: 5_000 });
  try {
    const { task } = await raw.call('GetTaskStateByID', { uuid: ref });
    assert.equal(task?.priority, '42');
    assert.equal(task?.current_state, 'ready');
    assert.equal(task?.timeout, '0');
    assert.deepEqual(JSON.parse(task?.payload.toString() ?? ''), { jobId: 'keeps' });
  } finally {
    raw.close();
  }
  assert.deepEqual(await queue.claim(q, 30).then((c) => [c?.jobId, c?.priority]), ['keeps', 42]);
});

test('a task whose payload is not a job is cancelled, not handed out', async () => {
  const q = 'foreign';
  const raw = createCorndogsClient(loadCorndogsDefinitions(), { address: server.address, callTimeoutMs: 5_000 });
  try {
    const { task } = await raw.call('SubmitTask', { queue: q, current_state: 'ready', priority: 9, payload: Buffer.from('not json') });
    await queue.enqueue({ jobId: 'mine', queue: q, priority: 0 });
    assert.equal((await queue.claim(q, 30))?.jobId, 'mine');
    assert.equal((await raw.call('GetTaskStateByID', { uuid: task?.uuid ?? '' })).task?.current_state, 'canceled');
  } finally {
    raw.close();
  }
});

test('the clean-up schedule makes a dead claimer\'s task claimable again', { timeout: 20_000 }, async () => {
  let offset = 0n;
  const clocked = await startFakeCorndogs({ now: () => BigInt(Date.now()) * 1_000_000n + offset });
  const errors: unknown[] = [];
  const dispatcher = createCorndogsTaskQueue({ address: clocked.address });
  const reconciler = createCorndogsTaskQueue({
    address: clocked.address,
    cleanUp: { queues: ['jobs'], intervalMs: 20, onError: (err) => errors.push(err) },
  });
  try {
    await dispatcher.enqueue({ jobId: 'orphan', queue: 'jobs', priority: 0 });
    assert.equal((await dispatcher.claim('jobs', 5))?.jobId, 'orphan');
    clocked.failNext('CleanUpTimedOut', grpc.status.UNAVAILABLE, 2);
    // The dispatcher "dies"; the server's clock runs past its lease, as if after 5 minutes.
    offset = 300n * 1_000_000_000n;
    let again = await dispatcher.claim('jobs', 5);
    while (again === null) {
      await new Promise((r) => setTimeout(r, 20));
      again = await dispatcher.claim('jobs', 5);
    }
    assert.equal(again.jobId, 'orphan');
    assert.equal(errors.length, 2, 'two failed rounds were reported, and the loop went on');
  } finally {
    await dispatcher.close();
    await reconciler.close();
    await clocked.close();
  }
});
