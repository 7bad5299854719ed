/**
 * API throughput at 32 concurrent clients on loopback, against the same Postgres in the same run:
 * - submit (POST /v1/jobs over HTTP) vs raw pooled single-row INSERTs: target ≥ 0.35×
 * - status (GET /v1/jobs/:id over HTTP) vs raw pooled primary-key SELECTs: target ≥ 0.5×
 * The server runs in a child process (dist/functions/entry/node-server.js) so its peak memory
 * (VmHWM) is its own. The raw peers use a pool of the same size as the server's and prepared
 * statements, as the server does for its hot queries: the strictest peer, not a slow strawman.
 * The peers stay single-row, as the issue defines them; the server, as in production, groups
 * concurrent inserts and reads into shared statements (adapters/postgres/statement-batcher.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { closeDatabase, openDatabase, type Db } from '../adapters/postgres/database.ts';
import { migrate } from '../adapters/postgres/migrator.ts';
import { createPgTokenStore } from '../adapters/postgres/token-store.ts';
import { parseServerConfig } from '../functions/compose/config.ts';
import { percentile, reportBench } from './support/report.ts';

const clients = 32;
const poolSize = Number(process.env.BENCH_POOL ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const spec = { source: { kind: 'tarball', url: 'https://example.com/src.tar.gz' }, name: 'bench', labels: { bench: 'api' } };
const specJson = JSON.stringify(spec);

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

interface Phase {
  readonly ops: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

type Op = (i: number) => Promise<void>;

/** `clients` loops running `op` back to back for `ms`; latencies go to `lat` unless warming up. */
async function run(op: Op, ms: number, lat: number[] | null, counter: { n: number }): Promise<number> {
  const end = Date.now() + ms;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await op(counter.n++);
        lat?.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * The peer and the API take turns in short slices, so that load from other processes on a
 * shared machine falls on both alike instead of on whichever phase ran during it.
 */
async function compare(peer: Op, api: Op, serverPid: number): Promise<[Phase, Phase & { serverCpu: number; clientCpu: number }]> {
  const counters = [{ n: 0 }, { n: 0 }];
  const lats: number[][] = [[], []];
  const secs = [0, 0];
  let serverCpu = 0;
  let clientCpu = 0;
  await run(peer, 1000, null, counters[0]!);
  await run(api, 1000, null, counters[1]!);
  const slice = (seconds * 1000) / rounds;
  for (let r = 0; r < rounds; r++) {
    secs[0]! += await run(peer, slice, lats[0]!, counters[0]!);
    const cpu0 = cpuSeconds(serverPid);
    const own0 = process.cpuUsage();
    secs[1]! += await run(api, slice, lats[1]!, counters[1]!);
    serverCpu += cpuSeconds(serverPid) - cpu0;
    const own = process.cpuUsage(own0);
    clientCpu += (own.user + own.system) / 1e6;
  }
  const phase = (k: 0 | 1): Phase => ({
    ops: lats[k]!.length,
    perSecond: lats[k]!.length / secs[k]!,
    p50: percentile(lats[k]!, 50),
    p99: percentile(lats[k]!, 99),
  });
  return [phase(0), { ...phase(1), serverCpu: serverCpu / secs[1]!, clientCpu: clientCpu / secs[1]! }];
}

const agent = new Agent({ keepAlive: true, maxSockets: clients });

function http(base: URL, method: string, path: string, token: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The server's environment: its defaults, but for what the bench must pin (BENCH_TOKEN_CACHE_MS overrides the cache). */
function serverEnv(databaseUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DATABASE_URL: databaseUrl,
    REACTORCIDE_PORT: '0',
    REACTORCIDE_DB_POOL_SIZE: String(poolSize),
    REACTORCIDE_LOG_LEVEL: 'info',
    ...(process.env.BENCH_TOKEN_CACHE_MS === undefined ? {} : { REACTORCIDE_TOKEN_CACHE_MS: process.env.BENCH_TOKEN_CACHE_MS }),
  };
}

async function startServer(databaseUrl: string): Promise<{ url: URL; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [new URL('../functions/entry/node-server.js', import.meta.url).pathname], {
    env: serverEnv(databaseUrl),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1] !== undefined) resolve(new URL(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds (user + system) the process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Linux's high-water mark of the process's resident memory, in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? NaN : Number(m[1]) / 1024;
}

const dbName = `rc_bench_${randomBytes(4).toString('hex')}`;
const admin = openDatabase({ connectionString: adminUrl, maxConnections: 1 });
await admin.none('CREATE DATABASE $1:name', [dbName]);
const benchUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const raw: Db = openDatabase({ connectionString: benchUrl, maxConnections: poolSize });
let server: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  await migrate(raw);
  await raw.none('CREATE TABLE bench_raw (id uuid PRIMARY KEY, spec jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const { token } = await createPgTokenStore(raw).create({ name: 'bench', role: 'maintainer', expiresAt: null, createdBy: null });
  server = await startServer(benchUrl);
  const base = server.url;
  const serverPid = server.pid;

  const ids: string[] = [];
  const [rawInsert, submit] = await compare(
    async () => {
      await raw.none({ name: 'raw_insert', text: 'INSERT INTO bench_raw (id, spec) VALUES ($1, $2)', values: [randomUUID(), specJson] });
    },
    async () => {
      const res = await http(base, 'POST', '/v1/jobs', token, specJson);
      if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.body}`);
      if (ids.length < 10_000) ids.push((JSON.parse(res.body) as { id: string }).id);
    },
    serverPid,
  );
  const [rawSelect, status] = await compare(
    async (i) => {
      await raw.one({ name: 'raw_select', text: 'SELECT * FROM jobs WHERE id = $1', values: [ids[i % ids.length]] });
    },
    async (i) => {
      const res = await http(base, 'GET', `/v1/jobs/${ids[i % ids.length]}`, token);
      if (res.status !== 200) throw new Error(`status: ${res.status} ${res.body}`);
    },
    serverPid,
  );
  // The HTTP floor: the same server answering without touching the database. Neither API ratio
  // can beat (this rate / the raw peer's rate); it shows how much of a gap is HTTP itself.
  const health = await (async (): Promise<Phase> => {
    const op = async () => {
      const res = await http(base, 'GET', '/healthz', token);
      if (res.status !== 200) throw new Error(`healthz: ${res.status}`);
    };
    const counter = { n: 0 };
    await run(op, 1000, null, counter);
    const lat: number[] = [];
    const secs = await run(op, seconds * 1000, lat, counter);
    return { ops: lat.length, perSecond: lat.length / secs, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  })();
  const serverPeak = peakRssMb(server.pid);
  const submitRatio = submit.perSecond / rawInsert.perSecond;
  const statusRatio = status.perSecond / rawSelect.perSecond;
  const row = (name: string, p: Phase & { serverCpu?: number; clientCpu?: number }) => ({
    phase: name,
    ops: p.ops,
    'ops/s': p.perSecond,
    'p50 ms': p.p50,
    'p99 ms': p.p99,
    'server CPU': p.serverCpu === undefined ? '-' : `${(p.serverCpu * 100).toFixed(0)}%`,
    'client CPU': p.clientCpu === undefined ? '-' : `${(p.clientCpu * 100).toFixed(0)}%`,
  });
  reportBench('api', {
    rows: [row('raw INSERT (pooled)', rawInsert), row('POST /v1/jobs', submit), row('raw PK SELECT (pooled)', rawSelect), row('GET /v1/jobs/:id', status), row('GET /healthz (HTTP only)', health)],
    checks: [
      { name: 'submit / raw INSERT', value: submitRatio, target: '≥ 0.35', pass: submitRatio >= 0.35 },
      { name: 'status / raw PK SELECT', value: statusRatio, target: '≥ 0.5', pass: statusRatio >= 0.5 },
      { name: 'server peak RSS (MB)', value: serverPeak, target: 'reported', pass: true },
      { name: 'HTTP floor: /healthz / raw PK SELECT', value: health.perSecond / rawSelect.perSecond, target: 'reported', pass: true },
    ],
    notes: [
      `${clients} concurrent clients; peer and API alternate in ${rounds} slices, ${seconds}s each in all, after 1s warm-ups; pool ${poolSize} for the server and for the raw peers`,
      `server token cache ${parseServerConfig(serverEnv(benchUrl)).tokenCacheMs} ms (REACTORCIDE_TOKEN_CACHE_MS, set with BENCH_TOKEN_CACHE_MS; 0 = a token read per request)`,
      'raw peers: one single-row statement per operation; the server groups concurrent submits and reads into shared statements',
      `bench process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`,
    ],
  });
} finally {
  await server?.stop();
  await closeDatabase(raw);
  // Not WITH (FORCE): it would kill sessions whose clients are still closing, which then throw.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin.none('DROP DATABASE IF EXISTS $1:name', [dbName]);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await closeDatabase(admin);
  agent.destroy();
}
