/**
 * Runner overhead: a no-op job (a shell script that does nothing) through the full runner and
 * CLI — all six phases, masking on, NDJSON out — against bare `node -e 0` in the same run.
 * Targets: median ratio ≤ 1.5, and the runner's own peak memory < 80 MB.
 *
 * A third row is the floor under any runner written in Node: a script that only loads
 * child_process, prints as many NDJSON lines and spawns the same job script through pipes
 * in its own process group. What the runner adds is its distance from that row.
 *
 * Wall time on a shared machine swings by more than the margin, so with BENCH_INSTRUCTIONS=1
 * (and valgrind on PATH) each row is also counted in instructions node retires, all its threads,
 * not its children, less V8's random hash-seed set-up: the least of a few runs each. Slow
 * (seconds a run), but the same on a busy machine as on a quiet one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, reportBench } from './support/report.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const bin = join(repoRoot, 'bin', 'reactorcide.js');
const iterations = Number(process.env.BENCH_ITERATIONS ?? 30);

const source = mkdtempSync(join(tmpdir(), 'rc-bench-runner-'));
writeFileSync(join(source, 'reactorcide_job.sh'), 'true\n');
mkdirSync(join(source, 'work'), { recursive: true });

function timeIt(argv: string[]): { ms: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const floorScript = join(source, 'floor.cjs');
writeFileSync(
  floorScript,
  `const { spawn } = require('node:child_process');
for (let i = 0; i < 16; i++) process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), i }) + '\\n');
const c = spawn('/bin/bash', [${JSON.stringify(join(source, 'reactorcide_job.sh'))}], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });
c.stdout.resume(); c.stderr.resume(); c.stdio[3].resume();
c.on('close', (code) => process.exit(code));
`,
);

const bare = ['-e', '0'];
const floor = [floorScript];
const runner = [bin, 'run', '--format', 'ndjson', '--source', source, '--secret', 'NONE'];
for (let i = 0; i < 3; i++) {
  timeIt(bare);
  timeIt(floor);
  timeIt(runner);
}
const bareMs: number[] = [];
const runnerMs: number[] = [];
const floorMs: number[] = [];
let maxRssKb = 0;
for (let i = 0; i < iterations; i++) {
  bareMs.push(timeIt(bare).ms);
  floorMs.push(timeIt(floor).ms);
  const r = timeIt(runner);
  runnerMs.push(r.ms);
  const summaryLine = r.stdout.trim().split('\n').pop() ?? '{}';
  const summary = (JSON.parse(summaryLine) as { summary?: { outcome: string; runnerMaxRssKb?: number } }).summary;
  if (summary?.outcome !== 'succeeded') throw new Error(`no-op job did not succeed: ${summaryLine}`);
  maxRssKb = Math.max(maxRssKb, summary.runnerMaxRssKb ?? 0);
}

/**
 * Instructions node retires for one command (valgrind callgrind's count), the least of `runs`,
 * less V8's hash-seed set-up (HashSeed::InitializeRoots: a random prime search, 3-13 M, which
 * otherwise decides the figure).
 */
function instructions(argv: string[], runs: number): number {
  const log = join(source, 'callgrind.log');
  const out = join(source, 'callgrind.out');
  let least = Infinity;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('valgrind', ['--tool=callgrind', `--log-file=${log}`, `--callgrind-out-file=${out}`, process.execPath, ...argv], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    if (r.status !== 0) throw new Error(`valgrind ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    const n = Number(/Collected : (\d+)/.exec(readFileSync(log, 'utf8'))?.[1]);
    if (!Number.isFinite(n)) throw new Error('no instruction count in the valgrind log');
    const annotated = spawnSync('callgrind_annotate', ['--inclusive=yes', out], { encoding: 'utf8' }).stdout ?? '';
    const seed = Number(/^\s*([\d,]+) .*HashSeed::InitializeRoots/m.exec(annotated)?.[1]?.replaceAll(',', '') ?? 0);
    least = Math.min(least, n - seed);
  }
  rmSync(log, { force: true });
  rmSync(out, { force: true });
  return least;
}

const counted =
  process.env.BENCH_INSTRUCTIONS === '1'
    ? { bare: instructions(bare, 3), floor: instructions(floor, 3), runner: instructions(runner, 3) }
    : undefined;

const ratio = percentile(runnerMs, 50) / percentile(bareMs, 50);
reportBench('runner', {
  rows: [
    { what: 'bare `node -e 0`', p50_ms: percentile(bareMs, 50), p90_ms: percentile(bareMs, 90) },
    { what: 'floor: node spawning the job script', p50_ms: percentile(floorMs, 50), p90_ms: percentile(floorMs, 90) },
    { what: 'no-op job through the runner', p50_ms: percentile(runnerMs, 50), p90_ms: percentile(runnerMs, 90) },
    ...(counted
      ? [
          { what: 'instructions: bare (M)', p50_ms: counted.bare / 1e6, p90_ms: '' },
          { what: 'instructions: floor (M)', p50_ms: counted.floor / 1e6, p90_ms: '' },
          { what: 'instructions: runner (M)', p50_ms: counted.runner / 1e6, p90_ms: '' },
        ]
      : []),
  ],
  checks: [
    { name: 'runner / bare node start-up (p50)', value: ratio, target: '≤ 1.5', pass: ratio <= 1.5 },
    { name: 'runner peak RSS (MB)', value: maxRssKb / 1024, target: '< 80', pass: maxRssKb / 1024 < 80 },
  ],
  notes: [
    `${iterations} interleaved runs each, after 3 warm-up runs; node ${process.version}`,
    `floor / bare = ${(percentile(floorMs, 50) / percentile(bareMs, 50)).toFixed(2)}: the part of the ratio no runner in Node can remove`,
    ...(counted
      ? [`instructions: runner / bare = ${(counted.runner / counted.bare).toFixed(2)}, floor / bare = ${(counted.floor / counted.bare).toFixed(2)}`]
      : ['BENCH_INSTRUCTIONS=1 also counts instructions (valgrind), which a busy machine does not skew']),
  ],
});
