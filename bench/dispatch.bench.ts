/**
 * The whole path of a submitted job on an idle system, `reactorcide serve` as users start it
 * (API + dispatcher + local process executor + the Node runner), in a child process:
 * - latency from the submit being accepted (the 201 reaching the client) to the job script's
 *   first line, stamped by the script itself (`date +%s%N`): p50 and p99.
 *   Target: p50 ≤ 150 ms.
 * - trivial-job throughput at concurrency 4 (REACTORCIDE_MAX_RUNS=4): N jobs submitted at once,
 *   from the first submit to the last job's recorded end, against the physical peer measured in
 *   the same run: the same N jobs through `reactorcide run` spawned directly, 4 at a time.
 *   Target: ≥ 0.7× the direct rate, at the server's steady state: a server runs for days, and
 *   the warm-up of its first few hundred jobs is no cost of its hundred-thousandth. Measured with
 *   callgrind, V8 was still optimising serve's JavaScript and tiering up PGlite's WebAssembly in
 *   the background 200 jobs after start (11–29 M of serve's 35–50 M instructions a job), so
 *   BENCH_WARMUP_JOBS (default 256) run unmeasured first; the ratio of the first round after
 *   start is reported beside it. The direct runs, fresh processes each, have nothing to warm but
 *   the file cache: one round of them goes first.
 * Both on the embedded default (PGlite) and on the real Postgres. Queue pickup against a raw
 * LISTEN/NOTIFY round trip is measured on its own by queue.bench.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../adapters/postgres/database.ts';
import { isTerminal, jobStates, type JobState } from '../core/job-state.ts';
import { percentile, reportBench, type BenchCheck } from './support/report.ts';
import { serveUrl } from '../cli/test-support/serve-url.ts';

const latencyRuns = Number(process.env.BENCH_ITERATIONS ?? 40);
const throughputJobs = Number(process.env.BENCH_JOBS ?? 32);
const warmupJobs = Number(process.env.BENCH_WARMUP_JOBS ?? 256);
const concurrency = 4;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const bin = new URL('../../bin/reactorcide.js', import.meta.url).pathname;

const wallMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Benchmarks run with a bare environment: this machine's NODE_EXTRA_CA_CERTS alone adds ~40 ms per Node start. */
function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...extra };
}

function cli(args: readonly string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`reactorcide ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

interface Server {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
}

async function startServe(env: Record<string, string>): Promise<Server> {
  // The embedded database migrates itself at start; a shared one is migrated as an operator would.
  if (env['DATABASE_URL'] !== undefined) await cli(['migrate'], env);
  const token = (await cli(['token', 'create', '--role', 'admin', '--name', 'bench'], env)).trim().split('\n').pop() ?? '';
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...env, REACTORCIDE_PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return { url: await serveUrl(child).url, token, child };
}

async function stopServe(server: Server): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

interface JobView {
  readonly id: string;
  readonly state: JobState;
  readonly finishedAt: string | null;
}

async function api<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (r.headers.get('content-type') ?? '').includes('json') ? ((await r.json()) as T) : ((await r.text()) as T);
}

async function waitEnd(server: Server, id: string): Promise<JobView> {
  for (;;) {
    const job = await api<JobView>(server, 'GET', `/v1/jobs/${id}`);
    if (isTerminal(job.state)) return job;
    await sleep(20);
  }
}

/**
 * CPU seconds (user + system) of a process tree, from /proc: the process, the children it has
 * reaped, and its live children's trees (serve's runner-starting helper lives as long as serve).
 */
function cpuSeconds(pid: number | 'self', reaped = true): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14–17 of stat(5); the slice starts at field 3.
    const own = fields.slice(11, reaped ? 15 : 13).reduce((sum, f) => sum + Number(f), 0) / 100;
    // This process's own live children include serve, which the direct runs do not use.
    const children = pid === 'self' ? [] : readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return own + children.reduce((sum, child) => sum + cpuSeconds(child, reaped), 0);
  } catch {
    return 0; // a child that ended between the listing and the read is counted by its parent
  }
}

/**
 * CPU seconds of the server alone, runners left out: serve and its live helper, without the
 * children they reaped. Read between rounds, when no runner is alive.
 */
const serverCpuSeconds = (pid: number): number => cpuSeconds(pid, false);

/** Submit one job at a time from idle; the script's first line is its own wall clock in ns. */
async function latency(server: Server, source: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < latencyRuns + 3; i++) {
    const job = await api<JobView>(server, 'POST', '/v1/jobs', { source: { kind: 'directory', path: source } });
    const acceptedAt = wallMs();
    const end = await waitEnd(server, job.id);
    if (end.state !== 'succeeded') throw new Error(`latency job ${job.id} ended ${end.state}`);
    const log = await api<string>(server, 'GET', `/v1/jobs/${job.id}/logs`);
    const stamp = /(\d{19})/.exec(log)?.[1];
    if (stamp === undefined) throw new Error(`no first line in the log of ${job.id}: ${log}`);
    if (i >= 3) out.push(Number(BigInt(stamp) / 1000n) / 1000 - acceptedAt);
    await sleep(100);
  }
  return out;
}

/** N trivial jobs submitted at once; seconds from the first submit to the last recorded end. */
async function throughputThroughSystem(server: Server, source: string): Promise<number> {
  const t0 = wallMs();
  const jobs = await Promise.all(
    Array.from({ length: throughputJobs }, () => api<JobView>(server, 'POST', '/v1/jobs', { source: { kind: 'directory', path: source } })),
  );
  // The end time is the one the dispatcher recorded, so how soon the end is seen does not count;
  // what does is the load that looking puts on the server it measures. So one small question
  // every 250 ms (is any job still pending or running? an indexed read of at most one row), and
  // the jobs themselves read once, at the end, rather than each job's status polled in turn
  // (a read a job at least, inside the measured time, with queue positions for the pending).
  const inFlight = `/v1/jobs?state=${jobStates.filter((s) => !isTerminal(s)).join(',')}&limit=1`;
  do await sleep(250);
  while ((await api<{ jobs: JobView[] }>(server, 'GET', inFlight)).jobs.length > 0);
  const listed = (await api<{ jobs: JobView[] }>(server, 'GET', `/v1/jobs?limit=${jobs.length}`)).jobs;
  const ends = jobs.map((j) => listed.find((l) => l.id === j.id));
  const bad = ends.filter((j) => j?.state !== 'succeeded');
  if (bad.length > 0) throw new Error(`${bad.length} throughput jobs did not succeed`);
  const last = Math.max(...ends.map((j) => Date.parse(j?.finishedAt ?? '')));
  return (last - t0) / 1000;
}

/** The peer: the same jobs through `reactorcide run` spawned directly, `concurrency` at a time. */
async function throughputDirect(source: string): Promise<number> {
  const env = baseEnv({});
  let next = 0;
  const t0 = wallMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < throughputJobs) await cli(['run', '--source', source, '--format', 'ndjson'], env);
    }),
  );
  return (wallMs() - t0) / 1000;
}

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = openDatabase({ connectionString: adminUrl, maxConnections: 1 });
  const name = `rc_bench_dispatch_${randomBytes(4).toString('hex')}`;
  await admin.none('CREATE DATABASE $1:name', [name]);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      await admin.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [name]);
      await closeDatabase(admin);
    },
  };
}

const source = mkdtempSync(join(tmpdir(), 'rc-bench-dispatch-src-'));
writeFileSync(join(source, 'reactorcide_job.sh'), 'date +%s%N\n');

const rows: Array<Record<string, string | number>> = [];
const checks: BenchCheck[] = [];
for (const backend of ['embedded', 'postgres'] as const) {
  const db = backend === 'postgres' ? await freshDatabase() : null;
  const env = baseEnv({
    REACTORCIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'rc-bench-dispatch-data-')),
    REACTORCIDE_MAX_RUNS: String(concurrency),
    ...(db ? { DATABASE_URL: db.url } : {}),
  });
  const server = await startServe(env);
  try {
    const lat = await latency(server, source);
    // Direct and system take turns, so a burst of load on this shared machine falls on both.
    const direct: number[] = [];
    const system: number[] = [];
    let directCpu = 0;
    let systemCpu = 0;
    let serverCpu = 0;
    const serverPid = server.child.pid ?? 0;
    await throughputDirect(source);
    const firstRound = await throughputThroughSystem(server, source);
    for (let warmed = throughputJobs; warmed < warmupJobs; warmed += throughputJobs) await throughputThroughSystem(server, source);
    for (let round = 0; round < 3; round++) {
      let c0 = cpuSeconds('self');
      direct.push(await throughputDirect(source));
      directCpu += cpuSeconds('self') - c0;
      c0 = cpuSeconds(serverPid);
      const s0 = serverCpuSeconds(serverPid);
      system.push(await throughputThroughSystem(server, source));
      systemCpu += cpuSeconds(serverPid) - c0;
      serverCpu += serverCpuSeconds(serverPid) - s0;
    }
    const directRate = throughputJobs / Math.min(...direct);
    const systemRate = throughputJobs / Math.min(...system);
    rows.push({
      backend,
      'first line p50 ms': percentile(lat, 50),
      'first line p99 ms': percentile(lat, 99),
      'direct jobs/s': directRate,
      'system jobs/s': systemRate,
      ratio: systemRate / directRate,
      'ratio, first round': throughputJobs / firstRound / directRate,
      // Steadier than wall time on a loaded machine: CPU each job costs, runner included.
      'direct CPU ms/job': (directCpu * 1000) / (3 * throughputJobs),
      'system CPU ms/job': (systemCpu * 1000) / (3 * throughputJobs),
      // Of which serve and its runner-starting helper, runners left out: what the system adds.
      'server CPU ms/job': (serverCpu * 1000) / (3 * throughputJobs),
    });
    checks.push({ name: `${backend}: submit accepted → first line, p50 ms`, value: percentile(lat, 50), target: '≤ 150', pass: percentile(lat, 50) <= 150 });
    checks.push({ name: `${backend}: throughput at concurrency 4 vs direct runner`, value: systemRate / directRate, target: '≥ 0.7', pass: systemRate / directRate >= 0.7 });
  } finally {
    await stopServe(server);
    await db?.drop();
  }
}
reportBench('dispatch', {
  rows,
  checks,
  notes: [
    `${latencyRuns} latency samples per backend; throughput: ${throughputJobs} jobs, best of 3 alternating rounds after ${warmupJobs} unmeasured jobs through the system and one unmeasured round of direct runs`,
  ],
});
