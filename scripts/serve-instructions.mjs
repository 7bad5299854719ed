// Instructions `reactorcide serve` retires per job, counted by valgrind's callgrind: steadier than
// CPU time on a shared machine, where a job's server CPU swings 1.5× between runs. Serve's own
// process is traced (its threads included: V8's optimiser, PGlite's WebAssembly tier-up, the GC)
// and so is its runner-starting helper; the runners are not (their cost is runner.bench.ts's).
// Trivial jobs go in batches, and after each batch the counts are dumped, so the JIT warm-up
// shows as it fades.
//
//   npm run build && node scripts/serve-instructions.mjs [WARM_JOBS] [JOBS_PER_BATCH] [BATCHES]
//
// Embedded database by default; with DATABASE_URL set, that Postgres (migrated first). Under
// callgrind serve runs ~50× slower: 32 jobs take about half a minute.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [warm, perBatch, batches] = [process.argv[2] ?? 32, process.argv[3] ?? 32, process.argv[4] ?? 4].map(Number);
const bin = new URL('../bin/reactorcide.js', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'rc-serve-instructions-'));
const source = join(scratch, 'source');
mkdirSync(source);
writeFileSync(join(source, 'reactorcide_job.sh'), 'date +%s%N\n');
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? scratch,
  REACTORCIDE_DATA_DIR: join(scratch, 'data'),
  REACTORCIDE_MAX_RUNS: '4',
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
};
if (env.DATABASE_URL) spawnSync(process.execPath, [bin, 'migrate'], { env });
const token = spawnSync(process.execPath, [bin, 'token', 'create', '--role', 'admin', '--name', 'instructions'], { env, encoding: 'utf8' })
  .stdout.trim()
  .split('\n')
  .pop();

const serve = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    '--smc-check=all',
    '--trace-children=yes',
    // The runners: `node …/bin/reactorcide.js run`, started by the helper (a `node -e` program).
    '--trace-children-skip-by-arg=*reactorcide.js*',
    `--log-file=${join(scratch, 'callgrind.log.%p')}`,
    `--callgrind-out-file=${join(scratch, 'callgrind.out.%p')}`,
    process.execPath,
    bin,
    'serve',
  ],
  { env: { ...env, REACTORCIDE_PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] },
);
let stderr = '';
const url = await new Promise((resolve, reject) => {
  serve.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    const m = /API on (http:\/\/\S+?)[ ,]/.exec(stderr);
    if (m) resolve(m[1]);
  });
  serve.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
});

async function api(method, path, body) {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

const ended = ['succeeded', 'failed', 'cancelled', 'timed_out', 'errored'];
/** `n` jobs submitted at once, then waited for with slow polls (status reads cost serve too). */
async function batch(n) {
  const jobs = await Promise.all(Array.from({ length: n }, () => api('POST', '/v1/jobs', { source: { kind: 'directory', path: source } })));
  for (const job of jobs) {
    for (;;) {
      const seen = await api('GET', `/v1/jobs/${job.id}`);
      if (seen.state === 'succeeded') break;
      if (ended.includes(seen.state)) throw new Error(`job ${job.id} ended ${seen.state}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Instructions of process `pid`'s newest dump, and of its threads' two big background jobs. */
function lastDump(pid) {
  const dumps = readdirSync(scratch).filter((f) => f.startsWith(`callgrind.out.${pid}.`));
  const file = join(scratch, dumps.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).at(-1));
  const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'))[1]);
  const annotated = spawnSync('callgrind_annotate', ['--inclusive=yes', '--threshold=99.9', file], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const inclusive = (fn) => Number(new RegExp(`^\\s*([\\d,]+) \\([^)]*\\)\\s+\\?\\?\\?:${fn}`, 'm').exec(annotated)?.[1].replace(/,/g, '') ?? 0);
  return {
    total,
    wasm: inclusive('v8::internal::wasm::WasmCompilationUnit::ExecuteCompilation'),
    turbofan: inclusive('v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal'),
  };
}

try {
  await batch(warm);
  const helper = Number(readFileSync(`/proc/${serve.pid}/task/${serve.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  for (const pid of [serve.pid, helper]) spawnSync('callgrind_control', ['--zero', String(pid)]);
  const perJob = (n) => `${(n / perBatch / 1e6).toFixed(1)} M`;
  for (let b = 1; b <= batches; b++) {
    await batch(perBatch);
    for (const pid of [serve.pid, helper]) spawnSync('callgrind_control', ['--dump', String(pid)]);
    await new Promise((r) => setTimeout(r, 1500));
    const d = lastDump(serve.pid);
    const upTo = warm + b * perBatch;
    console.log(
      `jobs ${upTo - perBatch + 1}-${upTo}: serve ${perJob(d.total)} instructions a job, of which JavaScript optimisation ` +
        `${perJob(d.turbofan)}, WebAssembly tier-up ${perJob(d.wasm)}; the helper ${perJob(lastDump(helper).total)}`,
    );
  }
} finally {
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  rmSync(scratch, { recursive: true, force: true });
}
