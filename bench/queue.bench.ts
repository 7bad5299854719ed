/**
 * Queue pickup latency on an idle system, against the same Postgres in the same run:
 * - raw: one connection LISTENs, another sends NOTIFY; time from sending the NOTIFY to the
 *   notification's arrival (the physical floor of any LISTEN/NOTIFY wake-up);
 * - pickup: a dispatcher loop blocked in `waitForWork` on its own pool and LISTEN connection,
 *   another pool enqueues; time from the enqueue's commit (its statement returning to the
 *   enqueuer) to the dispatcher's claim returning. Target: pickup p50 ≤ 3× the raw round-trip p50.
 *   The commit happens somewhere between the enqueue call and its return, so "from the call" is
 *   reported too, as the upper bound; under load the return can even be seen after the claim.
 * For information, the same pickup in `in-process` mode (the embedded default's wake-up) on the
 * same Postgres, and on embedded PGlite (reached in-process).
 */
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../adapters/pglite/embedded-postgres.ts';
import { closeDatabase, openDatabase, type Db } from '../adapters/postgres/database.ts';
import { migrate } from '../adapters/postgres/migrator.ts';
import { createPgTaskQueue, createWakeupHub, type PgTaskQueue } from '../adapters/pgqueue/index.ts';
import { percentile, reportBench } from './support/report.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 400);
const warmup = 40;
// Long enough for the dispatcher to be blocked again, so each pickup starts from idle.
const gapMs = Number(process.env.BENCH_GAP_MS ?? 4);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly n: number;
}
const summary = (v: number[]): Sample => ({ p50: percentile(v, 50), p99: percentile(v, 99), min: Math.min(...v), n: v.length });

async function rawRoundTrip(db: Db): Promise<Sample> {
  const listener = await db.connect({ direct: true });
  let arrived: () => void = () => {};
  listener.client.on('notification', () => arrived());
  await listener.none('LISTEN bench_raw');
  const out: number[] = [];
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      await sleep(gapMs);
      const got = new Promise<void>((resolve) => (arrived = resolve));
      const t0 = nowMs();
      await db.none('NOTIFY bench_raw');
      await got;
      if (i >= warmup) out.push(nowMs() - t0);
    }
  } finally {
    await listener.done();
  }
  return summary(out);
}

/** A dispatcher loop on `waiter`, `enqueuer` submitting one job at a time from idle. */
async function pickup(waiter: PgTaskQueue, enqueuer: PgTaskQueue): Promise<{ fromCommit: Sample; fromCall: Sample }> {
  const queue = `bench-${randomBytes(4).toString('hex')}`;
  const claimedAt = new Map<string, number>();
  const stop = new AbortController();
  let claimed: () => void = () => {};
  await waiter.start();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      const task = await waiter.claim(queue, 60);
      if (task === null) {
        await waiter.waitForWork(queue, 1_000, stop.signal);
        continue;
      }
      claimedAt.set(task.jobId, nowMs());
      await waiter.complete(task);
      claimed();
    }
  })();
  const fromCommit: number[] = [];
  const fromCall: number[] = [];
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      await sleep(gapMs);
      const jobId = `job-${i}`;
      const done = new Promise<void>((resolve) => (claimed = resolve));
      const t0 = nowMs();
      await enqueuer.enqueue({ jobId, queue, priority: 0 });
      const t1 = nowMs();
      await done;
      const at = claimedAt.get(jobId);
      if (at === undefined) throw new Error(`job ${jobId} was not claimed`);
      if (i >= warmup) {
        fromCommit.push(at - t1);
        fromCall.push(at - t0);
      }
    }
  } finally {
    stop.abort();
    await loop;
  }
  return { fromCommit: summary(fromCommit), fromCall: summary(fromCall) };
}

const dbName = `rc_bench_${randomBytes(4).toString('hex')}`;
const admin = openDatabase({ connectionString: adminUrl, maxConnections: 1 });
await admin.none('CREATE DATABASE $1:name', [dbName]);
const benchUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const dbA = openDatabase({ connectionString: benchUrl, maxConnections: 4, applicationName: 'bench-dispatcher' });
const dbB = openDatabase({ connectionString: benchUrl, maxConnections: 4, applicationName: 'bench-enqueuer' });
try {
  await migrate(dbA);
  const raw = await rawRoundTrip(dbB);

  const waiter = createPgTaskQueue({ db: dbA, wake: 'listen' });
  const enqueuer = createPgTaskQueue({ db: dbB, wake: 'listen' });
  const listen = await pickup(waiter, enqueuer);
  await waiter.close();
  await enqueuer.close();

  const hub = createWakeupHub();
  const inProcess = await pickup(createPgTaskQueue({ db: dbA, wake: 'in-process', hub }), createPgTaskQueue({ db: dbB, wake: 'in-process', hub }));

  const embedded = await startEmbeddedPostgres();
  const liteA = openDatabase({ ...embedded.connection, maxConnections: 2, applicationName: 'bench-lite-a' });
  const liteB = openDatabase({ ...embedded.connection, maxConnections: 2, applicationName: 'bench-lite-b' });
  let lite: Awaited<ReturnType<typeof pickup>>;
  try {
    await migrate(liteA);
    const liteHub = createWakeupHub();
    lite = await pickup(createPgTaskQueue({ db: liteA, wake: 'in-process', hub: liteHub }), createPgTaskQueue({ db: liteB, wake: 'in-process', hub: liteHub }));
  } finally {
    await closeDatabase(liteA);
    await closeDatabase(liteB);
    await embedded.close();
  }

  const ratio = listen.fromCommit.p50 / raw.p50;
  const row = (what: string, s: Sample) => ({ measure: what, n: s.n, 'p50 ms': s.p50, 'p99 ms': s.p99, 'min ms': s.min });
  reportBench('queue', {
    rows: [
      row('raw LISTEN/NOTIFY round trip (postgres)', raw),
      row('pickup, listen: enqueue commit → claim (postgres)', listen.fromCommit),
      row('pickup, listen: enqueue call → claim (postgres)', listen.fromCall),
      row('pickup, in-process: enqueue commit → claim (postgres)', inProcess.fromCommit),
      row('pickup, in-process: enqueue commit → claim (pglite)', lite.fromCommit),
    ],
    checks: [{ name: 'pickup p50 / raw LISTEN/NOTIFY p50 (postgres)', value: ratio, target: '≤ 3', pass: ratio <= 3 }],
    notes: [
      `idle system: one enqueue every ${gapMs} ms, ${iterations} samples after ${warmup} warm-up`,
      'the commit lies between the enqueue call and its return: the two pickup rows bound the true figure',
      `upper bound (enqueue call → claim, which also pays the enqueue's own INSERT and WAL flush) / raw p50: ${(listen.fromCall.p50 / raw.p50).toFixed(2)}`,
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB (whole bench process, PGlite included)`,
    ],
  });
} finally {
  await closeDatabase(dbA);
  await closeDatabase(dbB);
  // Closed sessions take a moment to leave; the database cannot be dropped while they linger.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin.none('DROP DATABASE IF EXISTS $1:name', [dbName]);
      break;
    } catch {
      await sleep(50);
    }
  }
  await closeDatabase(admin);
}
