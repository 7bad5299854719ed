/**
 * Secret masking throughput against the same pipeline with masking off, in the same run.
 *
 * A realistic CI log (timestamps, paths, npm and compiler output, hex hashes, base64 blobs, URLs,
 * a few real secret occurrences) is cut into 64 KiB chunks like pipe reads and pushed through the
 * runner's output path: bytes → StringDecoder → {ts, stream, phase, text} → JSON.stringify. With
 * masking on, a MaskStream over 10, 100 or 1000 secrets (every variant) runs first.
 * Targets (issue #3): 100 secrets ≥ 0.5× masking off; 1000 secrets ≥ 0.7× 10 secrets; memory
 * constant while streaming 1 GB.
 */
import { StringDecoder } from 'node:string_decoder';
import { SecretMasker, type MaskStream } from '../runner/masking/index.ts';
import { MatchFinder } from '../runner/masking/match-finder.ts';
import { reportBench } from './support/report.ts';

const chunkSize = 64 * 1024;
const corpusBytes = 16 * 1024 * 1024;
const rounds = Number(process.env.MASKING_BENCH_ROUNDS ?? 7);
const streamBytes = Number(process.env.MASKING_BENCH_STREAM_MB ?? 1024) * 1024 * 1024;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const str = (n: number, chars = alnum): string => Array.from({ length: n }, () => pick([...chars])).join('');
const hex = (n: number): string => str(n, '0123456789abcdef');

/** Secrets shaped like the real ones: provider tokens, cloud keys, passwords with symbols, a PEM key. */
function makeSecrets(n: number): Array<[string, string]> {
  const shapes = [
    () => `ghp_${str(36)}`,
    () => `npm_${str(36)}`,
    () => `AKIA${str(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    () => str(40, `${alnum}/+`),
    () => `${str(10)}!@#${str(6)}&"'<>`,
    () => `postgres://app:${str(16)}@db.internal:5432/app`,
    () => `xoxb-${str(12, '0123456789')}-${str(24)}`,
  ];
  const out: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) out.push([`SECRET_${i}_TOKEN`, pick(shapes)()]);
  out[3] = ['DEPLOY_SSH_KEY', ['-----BEGIN OPENSSH PRIVATE KEY-----', str(70), str(70), str(30), '-----END OPENSSH PRIVATE KEY-----'].join('\n')];
  return out;
}

function logLine(i: number): string {
  const ts = new Date(1_764_000_000_000 + i * 37).toISOString();
  switch (Math.floor(rand() * 10)) {
    case 0: return `${ts} npm http fetch GET 200 https://registry.npmjs.org/${str(8).toLowerCase()}/-/${str(8).toLowerCase()}-1.${i % 20}.${i % 7}.tgz ${Math.floor(rand() * 900)}ms (cache miss)`;
    case 1: return `${ts} src/${str(6).toLowerCase()}/${str(10).toLowerCase()}.ts(${i % 300},${i % 80}): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.`;
    case 2: return `${ts} added ${i % 900} packages, and audited ${i % 1200} packages in ${i % 40}s; integrity sha512-${str(86, `${alnum}+/`)}==`;
    case 3: return `${ts} commit ${hex(40)} Merge pull request #${i % 5000} from org/feature-${str(5).toLowerCase()}`;
    case 4: return `${ts} ${hex(64)}  dist/${str(8).toLowerCase()}.js`;
    case 5: return `${ts} data: ${Buffer.from(str(90)).toString('base64')}`;
    case 6: return `${ts}     at Object.<anonymous> (/home/runner/work/app/node_modules/${str(7).toLowerCase()}/lib/index.js:${i % 500}:${i % 60})`;
    case 7: return `${ts} GET https://api.example.com/v1/items?page=${i % 100}&cursor=${str(24)} -> 200 (${i % 90} ms)`;
    case 8: return `${ts} [webpack] asset main.${hex(20)}.js ${i % 900} KiB [emitted] [minimized] (name: main)`;
    default: return `${ts} PASS test/${str(9).toLowerCase()}.test.ts (${(rand() * 9).toFixed(3)} s) ✓ ${str(12).toLowerCase()} handles ünïcödé input`;
  }
}

/** The log; every ~2000 lines one of the first ten secrets appears (raw, in base64, URL-encoded, in JSON). */
function makeCorpus(secrets: ReadonlyArray<[string, string]>): Buffer[] {
  const lines: string[] = [];
  let size = 0;
  let leaks = 0;
  for (let i = 0; size < corpusBytes; i++) {
    let line = logLine(i);
    if (i % 2000 === 1999) {
      const value = secrets[leaks++ % 10]![1];
      line = pick([
        `export TOKEN=${value}`,
        `auth: ${Buffer.from(`ci:${value}:x`).toString('base64')}`,
        `clone https://ci:${encodeURIComponent(value)}@git.example.com/repo.git`,
        JSON.stringify({ password: value }),
      ]);
    }
    lines.push(line);
    size += line.length + 1;
  }
  const all = Buffer.from(`${lines.join('\n')}\n`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += chunkSize) chunks.push(all.subarray(at, at + chunkSize));
  return chunks;
}

/** The runner's output path for one channel; returns the JSON bytes produced so nothing is optimised away. */
function pipeline(chunks: readonly Buffer[], mask: MaskStream | null): { bytes: number; text: string[] | null } {
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  const record = (text: string): void => {
    if (text === '') return;
    bytes += JSON.stringify({ ts: new Date().toISOString(), stream: 'stdout', phase: 'run', text }).length;
  };
  for (const c of chunks) {
    const out = mask === null ? c : mask.write(c);
    if (out.length > 0) record(decoder.write(out as Buffer));
  }
  if (mask !== null) record(decoder.write(mask.end() as Buffer));
  record(decoder.end());
  return { bytes, text: null };
}

const mb = (bytes: number, ms: number): number => bytes / (1024 * 1024) / (ms / 1000);

const allSecrets = makeSecrets(1000);
const corpus = makeCorpus(allSecrets);
const corpusSize = corpus.reduce((n, c) => n + c.length, 0);

const configs: Array<{ label: string; count: number; masker: SecretMasker | null; buildMs: number; needles: number }> = [
  { label: 'masking off', count: 0, masker: null, buildMs: 0, needles: 0 },
];
for (const count of [10, 100, 1000]) {
  const t0 = performance.now();
  const masker = new SecretMasker();
  for (const [name, value] of allSecrets.slice(0, count)) masker.add(name, value);
  const finder = masker.finder();
  if (!(finder instanceof MatchFinder)) throw new Error('expected one finder over all secrets');
  const automaton = finder.automaton;
  configs.push({ label: `${count} secrets`, count, masker, buildMs: performance.now() - t0, needles: automaton.states });
}

// Correctness guard: the masked output holds no secret value, and markers did appear.
for (const c of configs.slice(1)) {
  const s = c.masker!.stream();
  const out = Buffer.concat([...corpus.map((x) => Buffer.from(s.write(x))), Buffer.from(s.end())]).toString();
  const markers = out.split('***').length;
  if (markers < 10 || allSecrets.slice(0, c.count).some(([, v]) => out.includes(v))) throw new Error(`${c.label}: masking failed`);
}

// The machine is shared: CPU time of this process, not wall time, is what a pass costs; rounds
// are interleaved so a burst of load from elsewhere falls on every configuration alike.
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = new Map<string, number[]>(configs.map((c) => [c.label, []]));
const wall = new Map<string, number[]>(configs.map((c) => [c.label, []]));
for (let r = 0; r < rounds; r++) {
  for (const c of configs) {
    const t0 = cpuMs();
    const w0 = performance.now();
    pipeline(corpus, c.masker?.stream() ?? null);
    times.get(c.label)!.push(cpuMs() - t0);
    wall.get(c.label)!.push(performance.now() - w0);
  }
}
// Contention only ever adds CPU time (shared caches, a busy sibling hyperthread): the best round
// is the closest to each configuration's own cost.
const best = (xs: number[]): number => Math.min(...xs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const speed = new Map(configs.map((c) => [c.label, mb(corpusSize, best(times.get(c.label)!))]));
const wallSpeed = new Map(configs.map((c) => [c.label, mb(corpusSize, median(wall.get(c.label)!))]));

// Constant memory: stream 1 GB (the corpus over and over, never held whole) through 100 secrets.
const hundred = configs.find((c) => c.count === 100)!.masker!;
globalThis.gc?.();
const rssStart = process.memoryUsage.rss();
let rssAfterFirstGiB = 0;
let rssPeak = rssStart;
let rssAfterWarmup = 0;
{
  const s = hundred.stream();
  const decoder = new StringDecoder('utf8');
  let sent = 0;
  let next = 64 * 1024 * 1024;
  let sink = 0;
  const t0 = cpuMs();
  const w0 = performance.now();
  while (sent < streamBytes) {
    for (const c of corpus) {
      const text = decoder.write(s.write(c) as Buffer);
      sink += JSON.stringify({ ts: '', stream: 'stdout', phase: 'run', text }).length;
      sent += c.length;
      if (sent >= next) {
        next += 64 * 1024 * 1024;
        const rss = process.memoryUsage.rss();
        rssPeak = Math.max(rssPeak, rss);
        if (rssAfterWarmup === 0) rssAfterWarmup = rss;
        rssAfterFirstGiB = rss;
      }
      if (sent >= streamBytes) break;
    }
  }
  s.end();
  speed.set('1 GB stream, 100 secrets', mb(sent, cpuMs() - t0));
  wallSpeed.set('1 GB stream, 100 secrets', mb(sent, performance.now() - w0));
  if (sink === 0) throw new Error('nothing produced');
}

const off = speed.get('masking off')!;
const at100 = speed.get('100 secrets')!;
const ratio100 = at100 / off;
const ratio1000 = speed.get('1000 secrets')! / speed.get('10 secrets')!;
const growthMiB = (rssAfterFirstGiB - rssAfterWarmup) / (1024 * 1024);

reportBench('masking', {
  rows: [
    ...configs.map((c) => ({
      pipeline: c.label,
      'MB/s (CPU)': speed.get(c.label)!,
      'vs off': speed.get(c.label)! / off,
      'MB/s (wall)': wallSpeed.get(c.label)!,
      'automaton states': c.needles,
      'build ms': c.buildMs,
    })),
    {
      pipeline: '1 GB stream, 100 secrets',
      'MB/s (CPU)': speed.get('1 GB stream, 100 secrets')!,
      'vs off': speed.get('1 GB stream, 100 secrets')! / off,
      'MB/s (wall)': wallSpeed.get('1 GB stream, 100 secrets')!,
      'automaton states': 0,
      'build ms': 0,
    },
  ],
  checks: [
    { name: '100 secrets vs masking off', value: ratio100, target: '>= 0.5', pass: ratio100 >= 0.5 },
    { name: '1000 secrets vs 10 secrets', value: ratio1000, target: '>= 0.7', pass: ratio1000 >= 0.7 },
    { name: 'RSS growth over the 1 GB stream after the first 64 MiB (MiB)', value: growthMiB, target: '< 16', pass: growthMiB < 16 },
  ],
  notes: [
    `corpus ${(corpusSize / 1048576).toFixed(1)} MiB in ${chunkSize / 1024} KiB chunks, best of ${rounds} interleaved rounds by this process's CPU time (the machine is shared); wall-time median alongside`,
    `peak RSS ${(rssPeak / 1048576).toFixed(0)} MiB (${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB maxRSS for the whole run, three maskers held); RSS ${(rssStart / 1048576).toFixed(0)} MiB before the 1 GB stream`,
  ],
});
