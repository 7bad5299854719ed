/**
 * Starts runners from a small helper process instead of from the dispatcher itself.
 *
 * Why: Node spawns a child by forking, and a fork copies the parent's page tables while the
 * event loop waits. The cost grows with the parent's memory: measured here, a `spawn()` call
 * blocks ~5 ms in a 50 MB process, ~40 ms at 250 MB and ~150 ms at 850 MB — and `reactorcide
 * serve` with its embedded database holds ~500 MB. The helper stays small, so each start costs it
 * a few milliseconds and costs the dispatcher none.
 *
 * How: the helper spawns the runner with piped stdio and hands the three pipe ends back over its
 * IPC channel (Node passes sockets between processes), closing its own copies; then it reports the
 * exit. So the dispatcher holds the only write end of the runner's stdin, exactly as if it had
 * spawned it: if the dispatcher dies, even by SIGKILL, the runner sees stdin close and stops.
 * If the helper dies, runs in flight still end through their stdout (the runner's summary record
 * says how); a new helper is started for the next run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/** The part of a ChildProcess the process executor uses. */
export interface SpawnedRunner extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal: NodeJS.Signals): void;
}

export interface RunnerSpawner {
  spawn(command: string, args: readonly string[], options: { readonly env: NodeJS.ProcessEnv; readonly cwd: string }): Promise<SpawnedRunner>;
  close(): void;
}

type FromHelper =
  | { readonly type: 'stdio'; readonly id: number; readonly fd: 0 | 1 | 2 }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'exit'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** The helper's whole program, run with `node -e` so it needs no file of its own at any install path. */
const helperSource = `
const { spawn } = require('node:child_process');
const children = new Map();
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.type === 'kill') { const c = children.get(m.id); if (c) try { c.kill(m.signal); } catch {} return; }
  if (m.type !== 'spawn') return;
  let child;
  try { child = spawn(m.command, m.args, { env: m.env, cwd: m.cwd, stdio: ['pipe', 'pipe', 'pipe'] }); }
  catch (err) { process.send({ type: 'error', id: m.id, message: String(err && err.message || err) }); return; }
  child.once('error', (err) => { if (child.pid === undefined) process.send({ type: 'error', id: m.id, message: err.message }); });
  if (child.pid === undefined) return;
  children.set(m.id, child);
  // Take the raw pipe handles from Node's streams before the event loop runs: Node starts reading a
  // child's output as it creates the pipes, drains them and closes stdin when the child exits, and
  // any of that before the hand-over (handles go one at a time, each waiting for the last one's
  // acknowledgement) would lose output or the pipe itself.
  const handles = [child.stdin, child.stdout, child.stderr].map((s) => {
    const h = s._handle;
    if (h.readStop) h.readStop();
    s._handle = null;
    return h;
  });
  // A plain message could overtake a queued handle: the exit goes only after all three.
  let handed = 0, exit;
  const sendExit = () => process.send({ type: 'exit', id: m.id, code: exit[0], signal: exit[1] });
  handles.forEach((h, fd) => process.send({ type: 'stdio', id: m.id, fd }, h, () => { if (++handed === 3 && exit) sendExit(); }));
  child.once('exit', (code, signal) => { children.delete(m.id); exit = [code, signal]; if (handed === 3) sendExit(); });
});
`;

interface Pending {
  readonly resolve: (runner: SpawnedRunner) => void;
  readonly reject: (err: Error) => void;
  readonly stdio: Array<Socket | undefined>;
  runner?: HelperRunner;
}

class HelperRunner extends EventEmitter implements SpawnedRunner {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private exited = false;
  private openStreams = 2;

  constructor(
    readonly stdin: Socket,
    readonly stdout: Socket,
    readonly stderr: Socket,
    private readonly sendKill: (signal: NodeJS.Signals) => void,
  ) {
    super();
    for (const s of [stdout, stderr]) s.once('close', () => this.streamClosed());
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.sendKill(signal);
  }

  /** The helper reported the exit, or died (then the exit is unknown and the output tells). */
  markExited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
    this.maybeClose();
  }

  private streamClosed(): void {
    this.openStreams--;
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.exited && this.openStreams === 0) this.emit('close', this.exitCode, this.signalCode);
  }
}

export function createRunnerSpawner(options: { readonly nodePath?: string } = {}): RunnerSpawner {
  let helper: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const start = (): ChildProcess => {
    // A bare environment: the helper needs none, and every runner gets its own explicitly.
    const child = spawn(options.nodePath ?? process.execPath, ['-e', helperSource], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: {} });
    child.on('message', (m: FromHelper, handle?: unknown) => onMessage(m, handle));
    child.once('exit', () => {
      if (helper === child) helper = undefined;
      for (const [id, p] of pending) {
        pending.delete(id);
        if (p.runner) p.runner.markExited(null, null);
        else p.reject(new Error('the runner spawner stopped before the runner started'));
      }
    });
    // The helper keeps the dispatcher alive only while a run it started is in flight.
    child.unref();
    child.channel?.unref();
    return child;
  };
  const holdWhileBusy = (): void => {
    if (pending.size > 0) helper?.channel?.ref();
    else helper?.channel?.unref();
  };

  const onMessage = (m: FromHelper, handle?: unknown): void => {
    const p = pending.get(m.id);
    if (p === undefined) return;
    if (m.type === 'error') {
      pending.delete(m.id);
      p.reject(new Error(m.message));
    } else if (m.type === 'stdio' && handle) {
      // A raw pipe handle; the runner's stdin is ours to write, its stdout and stderr to read.
      p.stdio[m.fd] = new Socket({ handle, readable: m.fd !== 0, writable: m.fd === 0 } as SocketConstructorOpts);
      const [stdin, stdout, stderr] = p.stdio;
      if (stdin && stdout && stderr && p.runner === undefined) {
        p.runner = new HelperRunner(stdin, stdout, stderr, (signal) => helper?.send({ type: 'kill', id: m.id, signal }));
        p.resolve(p.runner);
      }
    } else if (m.type === 'exit') {
      pending.delete(m.id);
      if (p.runner) p.runner.markExited(m.code, m.signal);
      else p.reject(new Error(`the runner exited (${m.signal ?? m.code}) before its output could be read`));
    }
    holdWhileBusy();
  };

  return {
    spawn(command, args, { env, cwd }) {
      helper ??= start();
      const id = nextId++;
      const child = helper;
      return new Promise<SpawnedRunner>((resolve, reject) => {
        pending.set(id, { resolve, reject, stdio: [] });
        holdWhileBusy();
        child.send({ type: 'spawn', id, command, args, env, cwd });
      });
    },
    close() {
      helper?.disconnect();
      helper = undefined;
    },
  };
}
