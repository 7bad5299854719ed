import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCorndogsClient, type CorndogsClient } from '../corndogs-client.ts';
import { loadCorndogsDefinitions } from '../corndogs-proto.ts';
import { startFakeCorndogs, type FakeCorndogs } from './fake-corndogs-server.ts';

// The stand-in's own semantics, straight from shared/corndogs.md, over the raw gRPC API. Its
// clock is the test's, so timeouts expire without sleeping.
const second = 1_000_000_000n;
const clock = 1_700_000_000n * second;
let server: FakeCorndogs;
let raw: CorndogsClient;
before(async () => {
  server = await startFakeCorndogs({ now: () => clock });
  raw = createCorndogsClient(loadCorndogsDefinitions(), { address: server.address, callTimeoutMs: 5_000 });
});
after(async () => {
  raw.close();
  await server.close();
});

test('SubmitTask defaults: queue "default", state "submitted", target state + "-working", times in ns', async () => {
  const { task } = await raw.call('SubmitTask', { payload: Buffer.from('p') });
  assert.ok(task !== null);
  assert.equal(task.queue, 'default');
  assert.equal(task.current_state, 'submitted');
  assert.equal(task.auto_target_state, 'submitted-working');
  assert.ok(BigInt(task.submit_time) >= clock && BigInt(task.update_time) === BigInt(task.submit_time));
  assert.equal(task.timeout, '0');
  assert.equal((await raw.call('GetTaskStateByID', { uuid: task.uuid })).task?.current_state, 'submitted');
  await raw.call('CancelTask', { uuid: task.uuid });
});

test('GetNextTask takes the highest priority, then the oldest update_time, and swaps states', async () => {
  const q = 'order';
  const sub = async (priority: number) =>
    (await raw.call('SubmitTask', { queue: q, current_state: 'todo', auto_target_state: 'doing', priority })).task?.uuid;
  const low = await sub(1);
  const highOld = await sub(5);
  const highNew = await sub(5);
  const next = async () => (await raw.call('GetNextTask', { queue: q, current_state: 'todo', override_timeout: 30 })).task;
  const first = await next();
  assert.equal(first?.uuid, highOld);
  assert.equal(first?.current_state, 'doing');
  assert.equal(first?.auto_target_state, 'todo');
  assert.equal(first?.timeout, '30');
  assert.equal((await next())?.uuid, highNew);
  const last = await raw.call('GetNextTask', { queue: q, current_state: 'todo', override_current_state: 'x', override_auto_target_state: 'y' });
  assert.equal(last.task?.uuid, low);
  assert.deepEqual([last.task?.current_state, last.task?.auto_target_state, last.task?.timeout], ['x', 'y', '0']);
  assert.equal((await next()), null, 'no task: an empty response, never a wait');
});

test('UpdateTask resets what it is not sent, and defaults the target to new_state + "-working"', async () => {
  const { task } = await raw.call('SubmitTask', { queue: 'upd', current_state: 'a', timeout: 60, priority: 7, payload: Buffer.from('keep') });
  assert.ok(task !== null);
  const { task: updated } = await raw.call('UpdateTask', { uuid: task.uuid, queue: 'upd', current_state: 'a', new_state: 'b' });
  assert.deepEqual(
    [updated?.current_state, updated?.auto_target_state, updated?.timeout, updated?.priority, updated?.payload.toString()],
    ['b', 'b-working', '0', '0', 'keep'],
  );
  assert.equal((await raw.call('UpdateTask', { uuid: 'no-such-task', new_state: 'b' })).task, null);
});

test('CleanUpTimedOut swaps timed-out tasks back; timeout 0 never times out', async () => {
  const q = 'timeouts';
  const claimed = (await raw.call('SubmitTask', { queue: q, current_state: 'todo', auto_target_state: 'doing' })).task;
  await raw.call('SubmitTask', { queue: q, current_state: 'todo', auto_target_state: 'doing' });
  await raw.call('GetNextTask', { queue: q, current_state: 'todo', override_timeout: 10 });
  const other = (await raw.call('SubmitTask', { queue: 'elsewhere', current_state: 'doing', auto_target_state: 'todo', timeout: 1 })).task;
  const at = (s: bigint) => String(clock + s * second);
  assert.equal((await raw.call('CleanUpTimedOut', { queue: q, at_time: at(5n) })).timed_out, '0');
  assert.equal((await raw.call('CleanUpTimedOut', { queue: q, at_time: at(11n) })).timed_out, '1');
  const back = (await raw.call('GetTaskStateByID', { uuid: claimed?.uuid ?? '' })).task;
  assert.deepEqual([back?.current_state, back?.auto_target_state, back?.timeout], ['todo', 'doing', '0']);
  assert.equal((await raw.call('CleanUpTimedOut', { queue: q, at_time: at(10_000n) })).timed_out, '0');
  assert.equal((await raw.call('GetTaskStateByID', { uuid: other?.uuid ?? '' })).task?.current_state, 'doing', 'other queue untouched');
  // An empty queue means every queue (other tests' claims time out here too).
  assert.ok(Number((await raw.call('CleanUpTimedOut', { at_time: at(10_000n) })).timed_out) >= 1);
  assert.equal((await raw.call('GetTaskStateByID', { uuid: other?.uuid ?? '' })).task?.current_state, 'todo');
});

test('CompleteTask and CancelTask archive the task', async () => {
  const q = 'archive';
  const a = (await raw.call('SubmitTask', { queue: q, current_state: 'todo' })).task?.uuid ?? '';
  const b = (await raw.call('SubmitTask', { queue: q, current_state: 'todo' })).task?.uuid ?? '';
  assert.equal((await raw.call('CompleteTask', { uuid: a, queue: q, current_state: 'todo' })).task?.current_state, 'completed');
  assert.equal((await raw.call('CancelTask', { uuid: b, queue: q, current_state: 'todo' })).task?.current_state, 'canceled');
  assert.equal((await raw.call('GetTaskStateByID', { uuid: a })).task?.current_state, 'completed');
  assert.equal((await raw.call('GetTaskStateByID', { uuid: b })).task?.current_state, 'canceled');
  assert.equal((await raw.call('CompleteTask', { uuid: a })).task, null, 'gone from the live table');
  assert.equal((await raw.call('GetNextTask', { queue: q, current_state: 'todo' })).task, null);
  assert.equal((await raw.call('GetTaskStateByID', { uuid: 'never-was' })).task, null);
});

test('counts by queue and state', async () => {
  const q = 'counted';
  await raw.call('SubmitTask', { queue: q, current_state: 'x' });
  await raw.call('SubmitTask', { queue: q, current_state: 'x' });
  await raw.call('SubmitTask', { queue: q, current_state: 'y' });
  const byState = await raw.call('GetTaskStateCounts', { queue: q });
  assert.deepEqual([byState.count, byState.state_counts], ['3', { x: '2', y: '1' }]);
  assert.equal((await raw.call('GetQueueTaskCounts', {})).queue_counts[q], '3');
  assert.ok((await raw.call('GetQueues', {})).queues.includes(q));
  const all = await raw.call('GetQueueAndStateCounts', {});
  assert.deepEqual(all.queue_and_state_counts[q], { queue: q, count: '3', state_counts: { x: '2', y: '1' } });
});

test('serves grpc.health.v1', async () => {
  assert.equal(await raw.healthy(), true);
  assert.ok((server.calls.get('SubmitTask') ?? 0) > 0);
});
