import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRunnerSpawner, type SpawnedRunner } from './runner-spawner.ts';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const read = async (s: NodeJS.ReadableStream): Promise<string> => {
  let out = '';
  for await (const chunk of s) out += String(chunk);
  return out;
};
const closed = (r: SpawnedRunner): Promise<[number | null, NodeJS.Signals | null]> =>
  new Promise((resolve) => r.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve([code, signal])));

test('a runner started by the helper: its stdin, stdout, stderr and exit code reach the caller', async () => {
  const spawner = createRunnerSpawner();
  try {
    const cwd = mkdtempSync(join(tmpdir(), 'rc-spawner-'));
    const runner = await spawner.spawn('sh', ['-c', 'read x; echo "got $x in $PWD"; echo oops >&2; exit 3'], { env, cwd });
    const end = closed(runner);
    const [out, err] = [read(runner.stdout), read(runner.stderr)];
    runner.stdin.end('hello\n');
    assert.equal(await out, `got hello in ${cwd}\n`);
    assert.equal(await err, 'oops\n');
    assert.deepEqual(await end, [3, null]);
    assert.equal(runner.exitCode, 3);
  } finally {
    spawner.close();
  }
});

test('kill reaches the runner; runs at once are kept apart', async () => {
  const spawner = createRunnerSpawner();
  try {
    const cwd = tmpdir();
    const [a, b] = await Promise.all([spawner.spawn('sleep', ['30'], { env, cwd }), spawner.spawn('sh', ['-c', 'echo b'], { env, cwd })]);
    const [endA, endB] = [closed(a), closed(b)];
    void read(a.stdout);
    assert.equal(await read(b.stdout), 'b\n');
    assert.deepEqual(await endB, [0, null]);
    a.kill('SIGTERM');
    assert.deepEqual(await endA, [null, 'SIGTERM']);
  } finally {
    spawner.close();
  }
});

test('a command that cannot start is an error, and the helper goes on serving', async () => {
  const spawner = createRunnerSpawner();
  try {
    await assert.rejects(spawner.spawn('/nonexistent/runner', [], { env, cwd: tmpdir() }), /ENOENT/);
    const runner = await spawner.spawn('sh', ['-c', 'echo still here'], { env, cwd: tmpdir() });
    assert.equal(await read(runner.stdout), 'still here\n');
  } finally {
    spawner.close();
  }
});

test('a caller killed with SIGKILL leaves the runner with its stdin closed, so it stops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rc-spawner-kill-'));
  const marker = join(dir, 'stdin-closed');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const module = pathToFileURL(new URL('./runner-spawner.ts', import.meta.url).pathname).href;
  // The caller starts a runner that waits for stdin's end, says it started, then is killed.
  const script = `
    const { createRunnerSpawner } = await import(${JSON.stringify(module)});
    const r = await createRunnerSpawner().spawn('sh', ['-c', 'echo started; cat >/dev/null; touch ${marker}'], { env: { PATH: process.env.PATH }, cwd: ${JSON.stringify(dir)} });
    r.stdout.pipe(process.stdout);
    setInterval(() => {}, 1000);
  `;
  const caller = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => caller.stdout.on('data', (d: Buffer) => String(d).includes('started') && resolve()));
  caller.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (!existsSync(marker)) {
    assert.ok(Date.now() < deadline, 'the runner never saw its stdin close');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(readFileSync(marker, 'utf8'), '');
});

test('many quick runners at once: every byte each prints reaches its caller', async () => {
  const spawner = createRunnerSpawner();
  try {
    const outputs = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        // Printed at once, before the pipes could have been handed over.
        const runner = await spawner.spawn('sh', ['-c', `head -c 100000 /dev/zero | tr '\\0' ${i % 10}; echo`], { env, cwd: tmpdir() });
        runner.stdin.end();
        const [out, end] = await Promise.all([read(runner.stdout), closed(runner)]);
        assert.deepEqual(end, [0, null]);
        return [i, out] as const;
      }),
    );
    for (const [i, out] of outputs) assert.equal(out, `${String(i % 10).repeat(100000)}\n`);
  } finally {
    spawner.close();
  }
});
