/**
 * The client commands as a user runs them: the real CLI (cli/main.ts through tsx) against a
 * real `reactorcide serve` on its embedded defaults (PGlite, table queue, local executor),
 * started as a process with a bootstrap admin token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job } from '../../core/job.ts';
import { startCliHarness, type CliHarness, type CliOptions } from './test-support/cli-harness.ts';

let h: CliHarness;
before(async () => {
  h = await startCliHarness();
});
after(() => h.close());
const cli = (args: string[], opts?: CliOptions) => h.cli(args, opts);
const tree = (files: Record<string, string>) => h.tree(files);
const getJob = (id: string) => h.getJob(id);
const mainTs = new URL('../main.ts', import.meta.url).pathname;

test('submit packs this directory as git sees it, follows the log, and exits 0', async () => {
  const src = tree({
    'reactorcide_job.sh': 'echo "files: $(ls -A | sort | tr "\\n" " ")"\necho "from $REACTORCIDE_JOB_ID"\n',
    '.gitignore': 'secret.env\nbuild/\n',
    'secret.env': 'X=1\n',
    'build/out.bin': 'x',
    'kept.txt': 'y',
  });
  const r = await cli(['submit'], { cwd: src });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /files: \.gitignore kept\.txt reactorcide_job\.sh \n/);
  assert.match(r.stderr, /uploaded \. \(/);
  const id = /job ([0-9a-f-]{36}) /.exec(r.stderr)?.[1] ?? '';
  assert.match(r.stdout, new RegExp(`from ${id}`));
  assert.match(r.stderr, new RegExp(`${id} succeeded \\(exit 0\\)`));
});

test("submit and wait exit with a failing job's own code; status --json tells the same", async () => {
  const src = tree({ 'reactorcide_job.sh': 'echo failing on purpose\nexit 7\n' });
  const followed = await cli(['submit', '--source', src]);
  assert.equal(followed.code, 7, followed.stderr);
  assert.match(followed.stdout, /failing on purpose/);

  const detached = await cli(['submit', '--detach', '--source', src, '--name', 'cli-fails']);
  assert.equal(detached.code, 0, detached.stderr);
  const id = detached.stdout.trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const waited = await cli(['wait', id]);
  assert.equal(waited.code, 7, waited.stderr);
  assert.match(waited.stdout, new RegExp(`${id} failed \\(exit 7\\) → exit 7`));
  const status = await cli(['status', id, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const job = JSON.parse(status.stdout) as Job;
  assert.equal(job.state, 'failed');
  assert.equal(job.exitCode, 7);
  assert.equal(job.name, 'cli-fails');
  const human = await cli(['status', id]);
  assert.match(human.stdout, /state\s+failed\n/);
  assert.match(human.stdout, /exit code\s+7\n/);
  assert.doesNotMatch(human.stdout, /\u001b\[/, 'no colour off a terminal');
});

test('logs -f follows a running job and ends when it ends', async () => {
  const src = tree({ 'reactorcide_job.sh': 'echo first line\nsleep 2\necho last line\n' });
  const id = (await cli(['submit', '-d', '--source', src])).stdout.trim();
  let stateAtFirst: Promise<Job> | undefined;
  const r = await cli(['logs', '-f', id], {
    onStdout: (chunk) => {
      if (stateAtFirst === undefined && chunk.includes('first line')) stateAtFirst = getJob(id);
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(stateAtFirst !== undefined, r.stdout);
  assert.equal((await stateAtFirst).state, 'running', 'the first line arrived while the job ran');
  assert.ok(r.stdout.indexOf('first line') < r.stdout.indexOf('last line'), r.stdout);
  assert.equal((await getJob(id)).state, 'succeeded');
  const records = await cli(['logs', id, '--json']);
  const lines = records.stdout.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; text: string });
  assert.deepEqual(lines.map((l) => l.offset), lines.map((_, i) => i));
  assert.equal(lines.map((l) => l.text).join(''), (await cli(['logs', id])).stdout);
});

test('list shows jobs as a table and as the API page; cancel stops a running job and wait exits 130', async () => {
  const src = tree({ 'reactorcide_job.sh': 'echo started\nsleep 60\n' });
  const id = (await cli(['submit', '-d', '--source', src, '--label', 'suite=cli'])).stdout.trim();
  for (let i = 0; (await getJob(id)).state !== 'running'; i++) {
    assert.ok(i < 200, 'the job starts');
    await new Promise((r) => setTimeout(r, 50));
  }
  const listed = await cli(['list', '--label', 'suite=cli', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const page = JSON.parse(listed.stdout) as { jobs: Job[]; nextCursor: string | null };
  assert.deepEqual(page.jobs.map((j) => j.id), [id]);
  const table = await cli(['list', '--state', 'running']);
  assert.match(table.stdout, /^ID\s+STATE\s+EXIT\s+CREATED/);
  assert.match(table.stdout, new RegExp(`${id}\\s+running`));

  const cancelled = await cli(['cancel', id]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  const waited = await cli(['wait', id]);
  assert.equal(waited.code, 130, waited.stderr + waited.stdout);
  assert.equal((await getJob(id)).state, 'cancelled');
  const again = await cli(['cancel', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already ended/);
});

test('bad flags and arguments are usage errors (exit 2) that show the usage', async () => {
  const unknown = await cli(['status', '--no-such-flag', 'x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--no-such-flag'/);
  assert.match(unknown.stderr, /usage: reactorcide status \[options\] <id>\n\(run `reactorcide status --help` for more\)/);
  assert.equal((await cli(['wait'])).code, 2);
  const badState = await cli(['list', '--state', 'sleeping']);
  assert.equal(badState.code, 2);
  assert.match(badState.stderr, /unknown state sleeping; states are queued/);
  const badEnv = await cli(['submit', '-d', '--source-on-server', '/tmp', '--env', 'NOEQUALS']);
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /--env NOEQUALS: expected NAME=VALUE/);
});

test('no server, an unreachable one, a missing token: clear errors and their exit codes', async () => {
  const none = await cli(['status', '00000000-0000-4000-8000-000000000000'], { env: {} });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no server: pass --server URL, set REACTORCIDE_SERVER/);
  const closed = await cli(['status', 'x', '--server', h.closedUrl, '--request-timeout', '2'], { env: {} });
  assert.equal(closed.code, 69);
  assert.match(closed.stderr, new RegExp(`cannot reach ${h.closedUrl}: ECONNREFUSED\n.*reactorcide serve`));
  const noToken = await cli(['list'], { env: { REACTORCIDE_SERVER: h.url } });
  assert.equal(noToken.code, 77);
  assert.match(noToken.stderr, /pass --token, set REACTORCIDE_TOKEN/);
  const missing = await cli(['status', '00000000-0000-4000-8000-000000000000']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no job/);
});

test('the config file supplies what flags and env leave open, and loses to them', async () => {
  mkdirSync(join(h.configHome, 'reactorcide'), { recursive: true });
  writeFileSync(join(h.configHome, 'reactorcide', 'config.json'), JSON.stringify({ server: h.url, token: h.token }));
  try {
    const fromFile = await cli(['list', '--limit', '1'], { env: {} });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const envWins = await cli(['list', '--limit', '1'], { env: { REACTORCIDE_TOKEN: 'rct_not-a-real-token' } });
    assert.equal(envWins.code, 77, 'the env token beats the file');
    const flagWins = await cli(['list', '--limit', '1', '--server', h.closedUrl, '--request-timeout', '2'], { env: { REACTORCIDE_SERVER: h.url } });
    assert.equal(flagWins.code, 69, 'the flag server beats env and file');
  } finally {
    rmSync(join(h.configHome, 'reactorcide'), { recursive: true, force: true });
  }
});

// util-linux `script` gives the CLI a terminal, as a person at a keyboard has.
const hasScript = spawnSync('script', ['--version']).status === 0;

test('on a terminal: a progress line on stderr and colour, and no colour with NO_COLOR', { skip: hasScript ? false : 'no `script` to make a terminal' }, async () => {
  const id = (await cli(['submit', '-d', '--source-on-server', '/tmp', '--', 'sleep', '3'])).stdout.trim();
  // stdout and stderr both reach the terminal, which `script` copies to its stdout.
  const onTty = (noColor: string): { code: number | null; stdout: string } => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const line = [process.execPath, '--import', tsx, mainTs, 'wait', id].map((a) => `'${a}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, REACTORCIDE_SERVER: h.url, REACTORCIDE_TOKEN: h.token, TERM: 'xterm', NO_COLOR: noColor };
    const r = spawnSync('script', ['-qec', line, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout };
  };
  const coloured = onTty('');
  assert.equal(coloured.code, 0, coloured.stdout);
  assert.match(coloured.stdout, /\r\u001b\[2K.*job [0-9a-f-]{36} [a-z_]+ .*\d+s/, 'a progress line');
  assert.match(coloured.stdout, /\u001b\[32msucceeded\u001b\[0m/, 'the state in colour');
  const plain = onTty('1');
  assert.doesNotMatch(plain.stdout, /\u001b\[32m/);
  assert.match(plain.stdout, /succeeded/);
});
