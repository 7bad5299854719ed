import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { loadCorndogsDefinitions, type CorndogsRpc, type CorndogsRpcs, type QueueAndStateCounts } from '../corndogs-proto.ts';

/** A task as the fake keeps it; times in nanoseconds, timeout in seconds. */
interface Row {
  uuid: string;
  queue: string;
  current_state: string;
  auto_target_state: string;
  submit_time: bigint;
  update_time: bigint;
  timeout: bigint;
  payload: Buffer;
  priority: bigint;
}

export interface FakeCorndogsOptions {
  /** The clock in Unix nanoseconds; tests move it to expire timeouts without sleeping. */
  readonly now?: () => bigint;
}

export interface FakeCorndogs {
  /** `127.0.0.1:<port>`, for the adapter's `address`. */
  readonly address: string;
  /** The next `count` calls of `method` fail with `code` (fault injection). */
  failNext(method: CorndogsRpc, code: grpc.status, count?: number): void;
  /** How many calls each method received. */
  readonly calls: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

const wallClock = (): bigint => BigInt(Date.now()) * 1_000_000n;
const big = (v: string | number | undefined): bigint => BigInt(v ?? 0);

/**
 * An in-process Corndogs on a real @grpc/grpc-js server, implementing the semantics of
 * shared/corndogs.md (and, where that is silent, what the Go server does: calls by uuid ignore
 * `current_state`, and a uuid that is not live answers with no task rather than an error).
 * A test double: it passes the same TaskQueue contract suite as the adapter, through the adapter.
 */
export async function startFakeCorndogs(options: FakeCorndogsOptions = {}): Promise<FakeCorndogs> {
  const clock = options.now ?? wallClock;
  let last = 0n;
  // Strictly increasing, so "oldest update_time" is a total order even within one millisecond.
  const now = (): bigint => {
    const c = clock();
    last = c > last ? c : last + 1n;
    return last;
  };
  const live = new Map<string, Row>();
  const archived = new Map<string, Row>();
  const faults = new Map<string, { code: grpc.status; left: number }>();
  const calls = new Map<string, number>();

  const wire = (r: Row | undefined): CorndogsRpcs['SubmitTask'][1]['task'] =>
    r === undefined
      ? null
      : { ...r, submit_time: String(r.submit_time), update_time: String(r.update_time), timeout: String(r.timeout), priority: String(r.priority) };

  const archive = (uuid: string, state: string): Row | undefined => {
    const row = live.get(uuid);
    if (row === undefined) return undefined;
    live.delete(uuid);
    const done = { ...row, current_state: state, auto_target_state: state, update_time: now() };
    archived.set(uuid, done);
    return done;
  };

  const countsOf = (queue: string): QueueAndStateCounts => {
    const state_counts: Record<string, string> = {};
    let count = 0;
    for (const r of live.values()) {
      if (r.queue !== queue) continue;
      count++;
      state_counts[r.current_state] = String(Number(state_counts[r.current_state] ?? 0) + 1);
    }
    return { queue, count: String(count), state_counts };
  };
  const queues = (): string[] => [...new Set([...live.values()].map((r) => r.queue))].sort();

  const handlers: { [M in CorndogsRpc]: (req: CorndogsRpcs[M][0]) => CorndogsRpcs[M][1] } = {
    SubmitTask(req) {
      const state = req.current_state || 'submitted';
      const t = now();
      const row: Row = {
        uuid: randomUUID(),
        queue: req.queue || 'default',
        current_state: state,
        auto_target_state: req.auto_target_state || `${state}-working`,
        submit_time: t,
        update_time: t,
        timeout: big(req.timeout),
        payload: req.payload ?? Buffer.alloc(0),
        priority: big(req.priority),
      };
      live.set(row.uuid, row);
      return { task: wire(row) };
    },
    GetTaskStateByID(req) {
      return { task: wire(live.get(req.uuid) ?? archived.get(req.uuid)) };
    },
    GetNextTask(req) {
      const queue = req.queue || 'default';
      const state = req.current_state || 'submitted';
      let best: Row | undefined;
      for (const r of live.values()) {
        if (r.queue !== queue || r.current_state !== state) continue;
        if (best === undefined || r.priority > best.priority || (r.priority === best.priority && r.update_time < best.update_time)) best = r;
      }
      if (best === undefined) return { task: null };
      best.current_state = req.override_current_state || best.auto_target_state;
      best.auto_target_state = req.override_auto_target_state || state;
      const override = big(req.override_timeout);
      if (override < 0n) best.timeout = 0n;
      else if (override !== 0n) best.timeout = override;
      best.update_time = now();
      return { task: wire(best) };
    },
    UpdateTask(req) {
      const row = live.get(req.uuid);
      if (row === undefined) return { task: null };
      const state = req.new_state ?? '';
      row.current_state = state;
      row.auto_target_state = req.auto_target_state || `${state}-working`;
      // Omitted fields reset: that is the documented trap every client must avoid.
      row.timeout = big(req.timeout);
      row.priority = big(req.priority);
      if (req.payload !== undefined && req.payload.length > 0) row.payload = req.payload;
      row.update_time = now();
      return { task: wire(row) };
    },
    CompleteTask: (req) => ({ task: wire(archive(req.uuid, 'completed')) }),
    CancelTask: (req) => ({ task: wire(archive(req.uuid, 'canceled')) }),
    CleanUpTimedOut(req) {
      const at = big(req.at_time);
      let n = 0;
      for (const r of live.values()) {
        if (req.queue && r.queue !== req.queue) continue;
        if (r.timeout <= 0n || r.update_time + r.timeout * 1_000_000_000n >= at) continue;
        [r.current_state, r.auto_target_state] = [r.auto_target_state, r.current_state];
        r.timeout = 0n;
        n++;
      }
      return { timed_out: String(n) };
    },
    GetQueues: () => ({ queues: queues(), total_task_count: String(live.size) }),
    GetQueueTaskCounts: () => ({
      queue_counts: Object.fromEntries(queues().map((q) => [q, countsOf(q).count])),
      total_task_count: String(live.size),
    }),
    GetTaskStateCounts(req) {
      const c = countsOf(req.queue ?? '');
      return { queue: c.queue, count: c.count, state_counts: { ...c.state_counts } };
    },
    GetQueueAndStateCounts: () => ({ queue_and_state_counts: Object.fromEntries(queues().map((q) => [q, countsOf(q)])) }),
  };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, handle] of Object.entries(handlers) as [CorndogsRpc, (req: unknown) => unknown][]) {
    implementation[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      const fault = faults.get(method);
      if (fault !== undefined && fault.left > 0) {
        fault.left--;
        callback({ code: fault.code, details: `injected fault in ${method}` });
        return;
      }
      try {
        callback(null, handle(call.request));
      } catch (err) {
        callback({ code: grpc.status.INTERNAL, details: String(err) });
      }
    };
  }

  const defs = loadCorndogsDefinitions();
  const server = new grpc.Server();
  server.addService(defs.corndogs, implementation);
  server.addService(defs.health, {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { status: 'SERVING' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    address: `127.0.0.1:${port}`,
    calls,
    failNext(method, code, count = 1) {
      faults.set(method, { code, left: count });
    },
    close: () =>
      new Promise<void>((resolve) => {
        // A client that is still connected would hold a graceful shutdown open.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
