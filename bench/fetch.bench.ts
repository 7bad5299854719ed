// Fetch benchmark: fetch + verify + extract a ~100 MB, ~10k-file .tar.gz over loopback HTTP with
// runner/fetch, against GNU tar extracting the very same bytes in the same run:
//   peer A: `curl -s URL | tar -xzf - -C dir`  (same HTTP server, same bytes: the fair peer)
//   peer B: `tar -xzf FILE -C dir`             (no network at all: the physical ceiling)
// Target (issue #7): our throughput ≥ 0.3× GNU tar's (peer A). Peak RSS is sampled during our runs, and
// CPU time (user + sys) is reported too, since wall time on a shared machine swings with its load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { fetchArchive } from '../runner/fetch/index.ts';

const files = 10_000;
const targetBytes = 100 * 1024 * 1024;
const runs = 5;
const cachePath = join(tmpdir(), `reactorcide-bench-fetch-v2-${files}-${targetBytes}.tgz`);

/**
 * Deterministic source-like text: identifiers from a vocabulary plus random literals, tuned so
 * gzip shrinks it about as much as it shrinks real source trees (3–4×), not 25× like pure words.
 */
function* fileContents(): Generator<{ name: string; body: Buffer }> {
  let seed = 42;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const vocab = Array.from({ length: 4096 }, (_, i) => `${i.toString(36)}${'abcdefghijklmnop'.slice(0, 2 + (i % 9))}`);
  const word = (): string => vocab[Math.floor(rand() * vocab.length)]!;
  const literal = (): string => {
    let out = '';
    for (let k = 0; k < 12; k++) out += String.fromCharCode(33 + Math.floor(rand() * 94)).replace(/["\\]/, 'x');
    return out;
  };
  const perFile = Math.floor(targetBytes / files);
  for (let i = 0; i < files; i++) {
    const size = Math.floor(perFile * (0.25 + 1.5 * rand()));
    const parts: string[] = [];
    let len = 0;
    while (len < size) {
      const line = `  const ${word()} = ${word()}("${literal()}", ${Math.floor(rand() * 1e9)}); // ${word()} ${literal()}\n`;
      parts.push(line);
      len += line.length;
    }
    yield { name: `project/pkg${Math.floor(i / 100)}/src/file${i}.ts`, body: Buffer.from(parts.join('')) };
  }
}

/** Generated in a child process, so building it does not inflate the measured process's RSS. */
function ensureArchive(): void {
  if (existsSync(cachePath)) return;
  console.log(`generating ${cachePath} (once) ...`);
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--generate'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('generating the benchmark archive failed');
}

async function generateArchive(): Promise<void> {
  const pack = tar.pack();
  const tmp = `${cachePath}.${process.pid}.tmp`;
  const writing = pipeline(pack, createGzip({ level: 6 }), createWriteStream(tmp));
  for (const { name, body } of fileContents()) {
    await new Promise<void>((ok, fail) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body, (e) => (e ? fail(e) : ok())));
  }
  pack.finalize();
  await writing;
  await rename(tmp, cachePath);
}

/** The HTTP server runs in its own process so it takes no time from the one being measured. */
async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const http = require('node:http'); const fs = require('node:fs');
    const s = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': fs.statSync(process.argv[1]).size });
      fs.createReadStream(process.argv[1], { highWaterMark: 256 * 1024 }).pipe(res);
    });
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', script, cachePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((ok) => child.stdout!.once('data', (d: Buffer) => ok(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}/project.tgz`, child };
}

/** Wall ms, and CPU ms (user + sys of every process in the pipeline, from bash's `times`). */
function sh(cmd: string): { wall: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${cmd}; times`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
  const children = r.stdout.toString().trim().split('\n').at(-1) ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: (secs.reduce((a, b) => a + b, 0) * 1000) };
}

async function main(): Promise<void> {
  const startRss = process.memoryUsage().rss;
  ensureArchive();
  const archiveBytes = (await stat(cachePath)).size;
  const digest = createHash('sha256');
  for await (const c of (await import('node:fs')).createReadStream(cachePath)) digest.update(c as Buffer);
  const sha256 = digest.digest('hex');
  const { url, child } = await startServer();
  const work = await mkdtemp(join(tmpdir(), 'reactorcide-bench-fetch-'));
  const times = { ours: [] as number[], curlTar: [] as number[], fileTar: [] as number[] };
  const cpu = { ours: [] as number[], curlTar: [] as number[], fileTar: [] as number[] };
  let peakRss = 0;
  let baselineRss = 0;
  let extracted = { files: 0, totalBytes: 0 };
  try {
    for (let i = 0; i < runs; i++) {
      const a = join(work, `curl-tar-${i}`);
      await mkdir(a);
      const peerA = sh(`curl -sf ${url} | tar -xzf - -C ${a}`);
      times.curlTar.push(peerA.wall);
      cpu.curlTar.push(peerA.cpu);
      const b = join(work, `file-tar-${i}`);
      await mkdir(b);
      const peerB = sh(`tar -xzf ${cachePath} -C ${b}`);
      times.fileTar.push(peerB.wall);
      cpu.fileTar.push(peerB.cpu);

      (globalThis as { gc?: () => void }).gc?.();
      baselineRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const res = await fetchArchive(url, join(work, `ours-${i}`), { allowHttp: true, sha256 });
      times.ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const used = process.cpuUsage(cpu0);
      cpu.ours.push((used.user + used.system) / 1000);
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      extracted = { files: res.files, totalBytes: res.totalBytes };
      for (const d of [a, b, join(work, `ours-${i}`)]) await rm(d, { recursive: true, force: true });
    }
  } finally {
    child.kill();
    await rm(work, { recursive: true, force: true });
  }

  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const mbps = (ms: number): number => archiveBytes / 1024 / 1024 / (ms / 1000);
  const ours = median(times.ours);
  const curlTar = median(times.curlTar);
  const fileTar = median(times.fileTar);
  const ratio = curlTar / ours;
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
  console.log(`\narchive: ${mib(archiveBytes)} MiB gzip, ${mib(extracted.totalBytes)} MiB tar, ${extracted.files} members; median of ${runs}`);
  const cpuMed = { ours: median(cpu.ours), curlTar: median(cpu.curlTar), fileTar: median(cpu.fileTar) };
  console.table({
    'runner/fetch (http, sha256, safe)': { 'wall ms': ours.toFixed(0), 'MiB/s (gz)': mbps(ours).toFixed(1), 'cpu ms': cpuMed.ours.toFixed(0) },
    'curl | tar -xz': { 'wall ms': curlTar.toFixed(0), 'MiB/s (gz)': mbps(curlTar).toFixed(1), 'cpu ms': cpuMed.curlTar.toFixed(0) },
    'tar -xzf file': { 'wall ms': fileTar.toFixed(0), 'MiB/s (gz)': mbps(fileTar).toFixed(1), 'cpu ms': cpuMed.fileTar.toFixed(0) },
  });
  // On a shared, busy machine wall time swings with other load; CPU time (user + sys) does much less.
  console.log(`CPU time, curl|tar ÷ ours: ${(cpuMed.curlTar / cpuMed.ours).toFixed(2)}×; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  console.log(`throughput vs curl|tar: ${ratio.toFixed(2)}×  (target ≥ 0.30×: ${ratio >= 0.3 ? 'MET' : 'MISSED'})`);
  console.log(`throughput vs tar on a file: ${(fileTar / ours).toFixed(2)}×`);
  console.log(`peak RSS during fetch: ${mib(peakRss)} MiB (at start ${mib(startRss)} MiB, just before the last fetch ${mib(baselineRss)} MiB); maxRSS of process ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
  // Results go to bench/results/ whether this runs from bench/ (tsx) or dist/bench/ (compiled).
  const repo = new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url);
  await mkdir(new URL('bench/results/', repo), { recursive: true });
  const out = new URL('bench/results/fetch.json', repo);
  await writeFile(out, JSON.stringify({
    when: new Date().toISOString(), node: process.version, archiveBytes, tarBytes: extracted.totalBytes, members: extracted.files,
    runs, timesMs: times, medianMs: { ours, curlTar, fileTar }, cpuMs: cpu, medianCpuMs: cpuMed, loadAverage: loadavg()[0], ratioVsCurlTar: ratio, ratioVsFileTar: fileTar / ours,
    target: 0.3, met: ratio >= 0.3, peakRssBytes: peakRss, startRssBytes: startRss, baselineRssBytes: baselineRss,
  }, null, 2));
  console.log(`wrote ${out.pathname}`);
}

await (process.argv.includes('--generate') ? generateArchive() : main());
