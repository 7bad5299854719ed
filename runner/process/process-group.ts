/**
 * A job runs in its own process group (spawned detached, so it leads a new session), which lets
 * the runner signal the job and every process it started at once — no orphaned grandchildren.
 * A process that calls setsid() itself leaves the group and is out of reach; a container's
 * end stops it there.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Signals every process in the group; false when there is none left (ESRCH). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  const err = rawKill(-pgid, signal);
  if (err === 0) return true;
  if (err === esrch) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    return false;
  }
}

// The usual end of a job finds its group already empty, and process.kill throws for that: its
// error builds libuv's whole error-name map the first time, code compiled afresh in every
// process on every job's clock. process._kill, which process.kill wraps, returns the errno
// instead (-ESRCH, 3 on Linux and macOS); the numbers are those two signals' POSIX values.
const esrch = -3;
const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15 };
type RawKill = (pid: number, signal: number) => number;

/** 0, -ESRCH, or undefined when the caller must ask process.kill (another error, platform or signal). */
function rawKill(pid: number, signal: NodeJS.Signals): number | undefined {
  const kill = (process as unknown as { _kill?: RawKill })._kill;
  const n = signalNumbers[signal];
  if (typeof kill !== 'function' || n === undefined || process.platform === 'win32') return undefined;
  return kill.call(process, pid, n);
}

/**
 * Whether any live process remains in the group. kill(-pgid, 0) also counts zombies, which
 * linger where nobody reaps orphans (the runner as PID 1 in a container without an init), so
 * on Linux the group's members are read from /proc and zombies are not counted.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // gone already
    }
    // Fields after the parenthesised command name: state ppid pgrp …
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
  }
  return false;
}

/** Whether a process is alive (a zombie is not: it has exited, nobody reaped it yet). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** Resolves true once the group is gone, false if it outlived `timeoutMs`. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

/** SIGTERM to the whole group, then SIGKILL to whatever is left after the grace period. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  // No process left to signal (the usual end of a job): nothing to wait for either.
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitGroupGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 5000);
}
