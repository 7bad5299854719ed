// Builds dist/:
// - tsc compiles every source (the package's exports, the API server, the benchmarks); dist/ is
//   wiped first so a deleted source never lingers as a stale .js;
// - the job library again as CommonJS, because a .ts job in a package without "type": "module"
//   runs as CommonJS and Node 20 cannot require() an ES module;
// - esbuild bundles the CLI into dist/bundle/ (lazy parts split into chunks), which is what the
//   `reactorcide` bin runs: one file to load instead of dozens keeps the runner's start-up — on
//   every job's clock — close to bare Node's;
// - and the fast path of `reactorcide run` once more as one CommonJS file, run-fast.cjs: CommonJS
//   skips the ES module loader's start-up, and the bin keeps a V8 code cache of it keyed by the
//   hash this build writes in its first line (bin/reactorcide.js). Its lazy parts stay lazy: esbuild
//   wraps each in an init function whose require() runs only when first called.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build, transform } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const project of ['tsconfig.build.json', 'tsconfig.job-cjs.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');

await build({
  absWorkingDir: root,
  entryPoints: ['cli/main.ts', 'cli/program.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

// Code run from a V8 code cache cannot call import() (Node 20 loses its import callback, later
// Nodes warn), so the runner's one import() goes through the importer the bin's loader passes in
// as `__importModule`; required plainly, the bundle imports for itself.
const importThroughLoader = {
  name: 'import-through-loader',
  setup(b) {
    b.onLoad({ filter: /runner[\\/]import-module\.ts$/ }, () => ({
      loader: 'js',
      contents:
        "export const importModule = (specifier) => typeof __importModule === 'function' ? __importModule(specifier) : import(specifier);\n",
    }));
  },
};

// The placeholder keeps its length, so the hash replaces it without moving a line or column.
const hashPlaceholder = '0'.repeat(16);
const fastRun = new URL('../dist/bundle/run-fast.cjs', import.meta.url);
await build({
  absWorkingDir: root,
  entryPoints: ['cli/run-fast.ts'],
  outfile: 'dist/bundle/run-fast.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  banner: {
    js: `// bundle-hash: ${hashPlaceholder}\n'use strict';\nconst __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };`,
  },
  // The runner's code asks import.meta for where it is; CommonJS has no import.meta. Worked out
  // when asked (only a JavaScript job or a plugin does): URL code is compiled afresh in every process.
  define: { 'import.meta.url': '__importMeta.url', 'import.meta.resolve': 'undefined' },
  plugins: [importThroughLoader],
});
// V8 keeps a source holding any non-ASCII character at two bytes a character, and decoding it
// cost each run about half a millisecond. esbuild escapes non-ASCII in code (charset ascii) but
// copies comments as they are, so there they become '?', one per UTF-16 unit (source map columns
// stay right) — checked: minified, the code is the same.
const written = readFileSync(fastRun, 'utf8');
const text = written.replace(/[^\x00-\x7f]/gu, (c) => '?'.repeat(c.length));
const codeOf = async (js) => (await transform(js, { minify: true, loader: 'js' })).code;
if (text !== written && (await codeOf(text)) !== (await codeOf(written))) {
  throw new Error('run-fast.cjs: a non-ASCII character outside a comment');
}
const hash = createHash('sha256').update(text).digest('hex').slice(0, hashPlaceholder.length);
writeFileSync(fastRun, text.replace(hashPlaceholder, hash));

// A code cache made by this Node, shipped next to the bundle: a run in a fresh container (a
// Kubernetes job's pod has an empty temp dir) starts warm too when the image's Node built it.
// V8 keeps the code of the functions the training run compiled, so the run does what a
// dispatched job does — its settings in the env, a job token named as a secret, stdin held
// open, output that passes through the masker — plus the flags of a laptop run. A function it
// leaves out is compiled afresh in every job: leaving out the masker cost each dispatched job
// ~7 ms. A build where the run fails simply ships no cache.
const scratch = mkdtempSync(join(tmpdir(), 'reactorcide-build-'));
try {
  writeFileSync(join(scratch, 'reactorcide_job.sh'), 'echo "token $REACTORCIDE_JOB_TOKEN"\necho done\n');
  const r = await trainingRun(scratch);
  const made = join(scratch, `reactorcide-code-cache-${process.getuid?.() ?? 'user'}`);
  const [name] = r.status === 0 ? readdirSync(made) : [];
  if (name === undefined) throw new Error(`the training run exited ${r.status}: ${r.stderr}`);
  const shipped = new URL(`../dist/bundle/code-cache/${name}`, import.meta.url);
  mkdirSync(new URL('.', shipped), { recursive: true });
  // Readable by whoever runs the package (the runner image runs as another user than builds it).
  writeFileSync(shipped, readFileSync(join(made, name)), { mode: 0o644 });
} catch (err) {
  console.warn(`build: no code cache to ship: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** `reactorcide run` as the process executor starts it (adapters/process/runner-env.ts), with flags. */
function trainingRun(scratch) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TMPDIR: scratch,
    REACTORCIDE_JOB_ID: '00000000-0000-4000-8000-000000000000',
    REACTORCIDE_WORK_DIR: join(scratch, 'work'),
    REACTORCIDE_STOP_ON_STDIN_END: 'true',
    REACTORCIDE_API_URL: 'http://127.0.0.1:9',
    REACTORCIDE_JOB_TOKEN: `rcj_${'0123456789abcdef'.repeat(3)}`,
    REACTORCIDE_SECRET_NAMES: 'REACTORCIDE_JOB_TOKEN',
  };
  mkdirSync(env.REACTORCIDE_WORK_DIR);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'reactorcide.js'), 'run', '--format', 'ndjson', '--source', scratch], {
      cwd: scratch,
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    // stdin stays open until the run ends, as the dispatcher holds it.
    child.once('close', (status) => resolve({ status, stderr }));
  });
}
