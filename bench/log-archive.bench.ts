// Log archive benchmark (issue #7): archive a ~100 MB job log (≈1M records in 5,000 chunks in a
// real Postgres) into one gzip NDJSON object with functions/archive, against a peer in the same
// run: node:zlib gzipping the very same NDJSON bytes from a file to /dev/null (no database, no
// store). Reported: wall and CPU time of each, the throughput ratio (target ≥ 0.30× the peer:
// the database read and JSON handling may cost up to twice the compression itself), and peak RSS
// during archiving (target: it grows by under 128 MiB — the log is streamed, never held whole).
// Reading the archive back (as the logs route does) is timed against gunzip alone too.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createFsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { createPgJobStore } from '../adapters/postgres/job-store.ts';
import { createPgLogArchiveStore } from '../adapters/postgres/log-archive-store.ts';
import { randomBytes } from 'node:crypto';
import { closeDatabase, openDatabase, type Db } from '../adapters/postgres/database.ts';
import { migrate } from '../adapters/postgres/migrator.ts';
import type { JobSpec } from '../core/job-spec.ts';
import { archiveJobLog, decodeArchive } from '../functions/archive/index.ts';
import { reportBench } from './support/report.ts';

const chunks = 6_800;
const perChunk = 200;
const runs = 3;
const mib = (n: number): number => n / 1024 / 1024;
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const spec: JobSpec = {
  source: { kind: 'tarball', url: 'https://example.com/src.tar.gz' },
  env: {}, secrets: [], resources: {}, timeout: 600, priority: 0, queue: 'default', labels: {}, dependsOn: [],
};
const sampleSpec = (): JobSpec => spec;

/** A fresh database for this run on the loopback Postgres, dropped at the end. */
async function freshDatabase(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const name = `rc_bench_${randomBytes(4).toString('hex')}`;
  const admin = openDatabase({ connectionString: adminUrl, maxConnections: 1 });
  await admin.none('CREATE DATABASE $1:name', [name]);
  const db = openDatabase({ connectionString: adminUrl.replace(/\/[^/]*$/, `/${name}`), maxConnections: 4 });
  await migrate(db);
  return {
    db,
    async drop() {
      await closeDatabase(db);
      await admin.none('DROP DATABASE IF EXISTS $1:name', [name]);
      await closeDatabase(admin);
    },
  };
}
const devNull = (): Writable => new Writable({ write: (_c, _e, done) => done() });

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number; peakRss: number; growth: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peakRss = before;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  try {
    const value = await run();
    const c = process.cpuUsage(c0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return { value, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1000, peakRss, growth: peakRss - before };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const t = await freshDatabase();
  const work = await mkdtemp(join(tmpdir(), 'reactorcide-bench-archive-'));
  const objects = createFsObjectStore({ root: join(work, 'store') });
  const jobs = createPgJobStore(t.db, { prepared: true });
  const deps = { jobs, objects, archives: createPgLogArchiveStore(t.db) };
  try {
    // The template log, generated inside Postgres: build-tool-like lines of ~100 bytes.
    const template = (await jobs.submit({ spec: sampleSpec(), submittedBy: null })).job.id;
    await t.db.none(
      `INSERT INTO job_log_chunks (job_id, first_offset, record_count, records)
       SELECT $1, g * $3, $3, (SELECT jsonb_agg(jsonb_build_object(
           'ts', '2026-11-24T20:00:00.000Z', 'stream', CASE WHEN i % 17 = 0 THEN 'stderr' ELSE 'stdout' END, 'phase', 'run',
           'text', '[' || lpad((g * $3 + i)::text, 7, '0') || '] compiling src/module_' || ((g * 31 + i) % 977) ||
                   '.ts … ok ' || md5((g * $3 + i)::text) || E'\\n') ORDER BY i)
         FROM generate_series(0, $3 - 1) i)
       FROM generate_series(0, $2 - 1) g`,
      [template, chunks, perChunk],
    );
    const textBytes = Number((await t.db.one<{ n: string }>(
      `SELECT sum(octet_length(r->>'text')) AS n FROM job_log_chunks, jsonb_array_elements(records) r WHERE job_id = $1`, [template])).n);
    console.log(`log: ${chunks * perChunk} records, ${mib(textBytes).toFixed(1)} MiB of text, ${chunks} chunks`);

    const rows: Record<string, string | number>[] = [];
    const ours: { wallMs: number; cpuMs: number; peakRss: number; growth: number }[] = [];
    const peer: { wallMs: number; cpuMs: number }[] = [];
    const readBack: { wallMs: number; cpuMs: number; peakRss: number; growth: number }[] = [];
    const gunzipPeer: { wallMs: number; cpuMs: number }[] = [];
    let ndjsonBytes = 0;
    let archiveBytes = 0;
    const startRss = process.memoryUsage().rss;
    for (let run = 0; run < runs; run++) {
      const { job } = await jobs.submit({ spec: sampleSpec(), submittedBy: null });
      await t.db.none(
        `INSERT INTO job_log_chunks (job_id, first_offset, record_count, records)
         SELECT $2, first_offset, record_count, records FROM job_log_chunks WHERE job_id = $1`, [template, job.id]);
      await t.db.none('UPDATE jobs SET log_next_offset = $2 WHERE id = $1', [job.id, chunks * perChunk]);
      await jobs.transition(job.id, { to: 'running' });
      await jobs.transition(job.id, { to: 'succeeded', exitCode: 0 });

      const a = await timed(() => archiveJobLog(deps, job.id));
      if (a.value.status !== 'archived' || a.value.archive.recordCount !== chunks * perChunk) throw new Error('archive incomplete');
      ours.push(a);
      const archive = a.value.archive;
      archiveBytes = archive.size;

      // The peer's input: the archive's own NDJSON, uncompressed to a file (not timed).
      const plain = join(work, 'plain.ndjson');
      await pipeline(await objects.get(archive.key), createGunzip(), createWriteStream(plain));
      ndjsonBytes = (await stat(plain)).size;
      peer.push(await timed(() => pipeline(createReadStream(plain), createGzip(), devNull())));

      const r = await timed(async () => {
        let n = 0;
        for await (const batch of decodeArchive(await objects.get(archive.key), 0, 500)) n += batch.length;
        return n;
      });
      if (r.value !== chunks * perChunk) throw new Error('read back incomplete');
      readBack.push(r);
      gunzipPeer.push(await timed(async () => pipeline(await objects.get(archive.key), createGunzip(), devNull())));
      await rm(plain);
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const mbps = (ms: number): number => mib(ndjsonBytes) / (ms / 1000);
    const row = (name: string, xs: { wallMs: number; cpuMs: number }[]) => {
      const wall = median(xs.map((x) => x.wallMs));
      rows.push({ step: name, 'wall ms': Math.round(wall), 'cpu ms': Math.round(median(xs.map((x) => x.cpuMs))), 'MiB/s (ndjson)': mbps(wall) });
      return wall;
    };
    const oursMs = row('archiveJobLog (pg → gzip → fs store → confirm → commit)', ours);
    const peerMs = row('peer: zlib gzip of the same NDJSON file', peer);
    const readMs = row('read back: decodeArchive (gunzip + parse)', readBack);
    const gunzipMs = row('peer: gunzip alone', gunzipPeer);
    const ratio = peerMs / oursMs;
    // Growth over the RSS just before each step (after a GC when run with --expose-gc, as npm run bench does).
    const growth = mib(Math.max(...ours.map((x) => x.growth)));
    const readGrowth = mib(Math.max(...readBack.map((x) => x.growth)));
    reportBench('log-archive', {
      rows,
      checks: [
        { name: 'archive throughput vs zlib alone', value: ratio, target: '≥ 0.30×', pass: ratio >= 0.3 },
        { name: 'peak RSS growth while archiving (MiB)', value: growth, target: '< 128', pass: growth < 128 },
        { name: 'peak RSS growth while reading back (MiB)', value: readGrowth, target: '< 128', pass: readGrowth < 128 },
      ],
      notes: [
        `${chunks * perChunk} records, NDJSON ${mib(ndjsonBytes).toFixed(1)} MiB → archive ${mib(archiveBytes).toFixed(1)} MiB; median of ${runs}`,
        `read back vs gunzip alone: ${(gunzipMs / readMs).toFixed(2)}×`,
        `peak RSS archiving ${mib(Math.max(...ours.map((x) => x.peakRss))).toFixed(1)} MiB, reading ${mib(Math.max(...readBack.map((x) => x.peakRss))).toFixed(1)} MiB; RSS at start ${mib(startRss).toFixed(1)} MiB; maxRSS of process ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`,
      ],
    });
  } finally {
    await t.drop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
