/**
 * The CLI as a user runs it (cli/main.ts through tsx) against a real `reactorcide serve` on its
 * embedded defaults (PGlite, table queue, local executor), started as a process after a
 * bootstrap admin token is minted into its data directory. One per test file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job } from '../../../core/job.ts';
import { serveUrl } from '../../test-support/serve-url.ts';

const root = new URL('../../../', import.meta.url).pathname;
// By URL: a CLI run in a project directory cannot find tsx from there.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The CLI's env on top of the harness's; without it: the server's URL and the admin token. */
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  onStdout?: (chunk: string) => void;
}

export interface CliHarness {
  readonly url: string;
  /** The bootstrap admin token. */
  readonly token: string;
  /** A loopback address where nothing listens. */
  readonly closedUrl: string;
  /** XDG_CONFIG_HOME of every CLI run. */
  readonly configHome: string;
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** A directory holding these files (`*.sh` executable). */
  tree(files: Record<string, string>): string;
  getJob(id: string): Promise<Job>;
  close(): Promise<void>;
}

export async function startCliHarness(): Promise<CliHarness> {
  const scratch = mkdtempSync(join(tmpdir(), 'rc-cli-'));
  const configHome = join(scratch, 'config');
  /** No server or token unless a test gives one, and no user config. */
  const cliEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome, HOME: scratch, NO_COLOR: '1', ...extra };
    for (const k of ['REACTORCIDE_SERVER', 'REACTORCIDE_TOKEN', 'DATABASE_URL']) if (!(k in extra)) delete env[k];
    return env;
  };

  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((r) => probe.close(r));

  const dataDir = join(scratch, 'data');
  const created = spawnSync(process.execPath, ['--import', tsx, 'cli/main.ts', 'token', 'create', '--role', 'admin', '--data-dir', dataDir], {
    cwd: root,
    encoding: 'utf8',
    env: cliEnv({}),
  });
  assert.equal(created.status, 0, created.stderr);
  const token = created.stdout.trim();
  const server = spawn(process.execPath, ['--import', tsx, 'cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: cliEnv({ REACTORCIDE_LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await serveUrl(server).url;

  return {
    url,
    token,
    closedUrl,
    configHome,
    cli(args, opts = {}) {
      const child = spawn(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), ...args], {
        cwd: opts.cwd ?? scratch,
        env: cliEnv(opts.env ?? { REACTORCIDE_SERVER: url, REACTORCIDE_TOKEN: token }),
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        opts.onStdout?.(d.toString());
      });
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
    },
    tree(files) {
      const dir = mkdtempSync(join(scratch, 'src-'));
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
        if (name.endsWith('.sh')) chmodSync(join(dir, name), 0o755);
      }
      return dir;
    },
    async getJob(id) {
      const res = await fetch(`${url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
      return (await res.json()) as Job;
    },
    async close() {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
