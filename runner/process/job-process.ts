/**
 * The job script as a child process: its own process group, stdout and stderr into masked
 * output channels, and a control socket on fd 3 through which `mask()` in the job library asks
 * the runner to mask a value before the job prints it.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { AppError } from '../../core/errors.ts';
import type { OutputPressure } from '../output/log-sink.ts';
import type { OutputChannel } from '../output/output-pipeline.ts';
import { signalGroup, stopGroup, waitGroupGone } from './process-group.ts';

export interface JobExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface JobProcessOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: OutputChannel;
  readonly stderr: OutputChannel;
  /** A `mask()` request from the job; throwing refuses it. */
  readonly onMask: (value: string, name: string) => void;
  /** How long leftover processes get after SIGTERM once the script itself has exited. */
  readonly leftoverGraceMs: number;
  /** When the runner's output is backed up, the job's is not read until it drains. */
  readonly pressure?: OutputPressure;
}

export interface JobProcess {
  /** Settles when the script has exited, its leftover processes are gone and its output is drained. */
  readonly done: Promise<JobExit>;
  /** Stop the job: SIGTERM to its process group, SIGKILL after the grace period. */
  stop(graceMs: number): Promise<void>;
}

/** Output still open this long after the whole group is gone belongs to an escaped process. */
const drainTimeoutMs = 2000;

export function startJobProcess(options: JobProcessOptions): JobProcess {
  const [command, ...args] = options.argv;
  if (command === undefined) throw new AppError('invalid_input', 'empty command');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...options.env, REACTORCIDE_CONTROL_FD: '3', REACTORCIDE_RUNNER_PID: String(process.pid) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  let paused = false;
  const relieve = (): void => {
    const pressure = options.pressure;
    if (paused || !pressure?.full()) return;
    paused = true;
    stdout.pause();
    stderr.pause();
    pressure.whenDrained(() => {
      paused = false;
      stdout.resume();
      stderr.resume();
    });
  };
  stdout.on('data', (b: Buffer) => (options.stdout.write(b), relieve()));
  stderr.on('data', (b: Buffer) => (options.stderr.write(b), relieve()));
  serveControl(child.stdio[3] as Socket, options.onMask);

  // on rather than once: each settles a promise, which settles only once anyway, and once() is
  // more of Node's code compiled afresh on every job's start.
  const spawned = new Promise<number>((resolve, reject) => {
    child.on('spawn', () => resolve(child.pid as number));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new AppError('invalid_input', `cannot start ${command}: ${err.code ?? err.message}`)),
    );
  });
  const exited = new Promise<JobExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ended = (s: Readable): boolean => s.readableEnded || s.destroyed;
  const drained = (s: Readable): Promise<void> => new Promise((resolve) => (ended(s) ? resolve() : s.once('close', () => resolve())));

  const done = (async (): Promise<JobExit> => {
    const pid = await spawned;
    const exit = await exited;
    // The script is done; anything it left running in its group goes too.
    await stopGroup(pid, options.leftoverGraceMs);
    // Usually both pipes have closed by now; the timer (code Node compiles afresh in every
    // process) is set only when one is still open.
    if (!ended(stdout) || !ended(stderr)) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      await Promise.race([Promise.all([drained(stdout), drained(stderr)]), timer]);
    }
    stdout.destroy();
    stderr.destroy();
    (child.stdio[3] as Socket | null)?.destroy();
    options.stdout.end();
    options.stderr.end();
    return exit;
  })();

  return {
    done,
    async stop(graceMs: number) {
      let pid: number;
      try {
        pid = await spawned;
      } catch {
        return;
      }
      if (graceMs <= 0) {
        signalGroup(pid, 'SIGKILL');
        await waitGroupGone(pid, 5000);
        return;
      }
      await stopGroup(pid, graceMs);
    },
  };
}

/**
 * Line-delimited JSON requests on the control socket, each answered `ok` or `error …`. Lines are
 * cut from the bytes (a newline byte never occurs inside a UTF-8 character) rather than through
 * setEncoding: a decoder per run for a socket most jobs never write to is code on every start.
 */
function serveControl(socket: Socket, onMask: (value: string, name: string) => void): void {
  let buffered: Buffer | undefined;
  socket.on('error', () => {}); // the job may close its end at any time
  socket.on('data', (data: Buffer) => {
    let bytes = buffered === undefined ? data : Buffer.concat([buffered, data]);
    let nl: number;
    while ((nl = bytes.indexOf(0x0a)) !== -1) {
      const line = bytes.toString('utf8', 0, nl);
      bytes = bytes.subarray(nl + 1);
      socket.write(answer(line, onMask) + '\n');
    }
    buffered = bytes.length === 0 ? undefined : bytes;
  });
}

function answer(line: string, onMask: (value: string, name: string) => void): string {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return 'error malformed request';
  }
  const r = req as { op?: unknown; value?: unknown; name?: unknown };
  if (r.op !== 'mask' || typeof r.value !== 'string') return 'error unknown request';
  try {
    onMask(r.value, typeof r.name === 'string' && r.name !== '' ? r.name : 'MASKED');
    return 'ok';
  } catch {
    return 'error mask refused';
  }
}
