/**
 * Runs the real `reactorcide` CLI from source (through tsx) in a child process, as a user or an
 * executor would, and parses its NDJSON output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LogRecord } from '../../core/log-record.ts';
import type { RunSummary, SummaryRecord } from '../../core/run-summary.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const cliMain = join(repoRoot, 'cli', 'main.ts');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly records: LogRecord[];
  readonly summary: RunSummary | undefined;
  /** The job's log as a person would read it: every record's text joined. */
  readonly text: string;
  /** What one stream said, joined: records of stdout and stderr interleave mid-line. */
  textOf(stream: LogRecord['stream']): string;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves once the output so far contains `needle`. */
  waitFor(needle: string): Promise<void>;
}

export function startCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ needle: string; resolve: () => void }> = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (stdout.includes(w.needle) || stderr.includes(w.needle)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => ((stdout += d), check()));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => ((stderr += d), check()));
  const result = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => {
      const records: LogRecord[] = [];
      let summary: RunSummary | undefined;
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as LogRecord | SummaryRecord;
        if ('summary' in parsed) summary = parsed.summary;
        else records.push(parsed);
      }
      const textOf = (stream: LogRecord['stream']): string =>
        records
          .filter((r) => r.stream === stream)
          .map((r) => r.text)
          .join('');
      resolve({ code, stdout, stderr, records, summary, text: records.map((r) => r.text).join(''), textOf });
    }),
  );
  return {
    child,
    result,
    waitFor: (needle) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ needle, resolve });
        check();
        void result.then(() => reject(new Error(`process ended before printing ${JSON.stringify(needle)}\n${stdout}\n${stderr}`)));
      }),
  };
}

export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

const trees: string[] = [];
// Removed when the test file's process ends, whatever the tests' outcome.
process.once('exit', () => {
  for (const dir of trees) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory filled with the given files; a value starting with `#!` is made executable. */
export async function makeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rc-test-'));
  trees.push(dir);
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
    if (content.startsWith('#!')) await chmod(full, 0o755);
  }
  return dir;
}

export { processAlive as pidAlive } from '../process/process-group.ts';
