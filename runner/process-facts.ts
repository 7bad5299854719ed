/**
 * The few facts about the system a run needs that node:os would give — the temp directory, a
 * signal's number — and the runner's peak memory, each without loading a Node module for it on
 * every job's start: Node compiles a module's code afresh in every process, and node:os alone
 * (for one path and one number) cost each run about 0.9 M instructions.
 */
import { readFileSync } from 'node:fs';
import type * as os from 'node:os';
import { importModule } from './import-module.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** os.tmpdir() as Node works it out on POSIX (where the runner runs: process groups, /bin/sh). */
export function tempDir(env: Env): string {
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

// The signals whose numbers are the same on Linux, macOS and the BSDs; any other is looked up
// in os.constants, loaded then (a job killed by SIGUSR1 or SIGBUS is rare, and not in a hurry).
const portableSignals: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** The signal's number, as os.constants.signals gives it (0 when unknown). */
export async function signalNumber(signal: NodeJS.Signals): Promise<number> {
  const portable = portableSignals[signal];
  if (portable !== undefined) return portable;
  const { constants } = (await importModule('node:os')) as typeof os;
  return constants.signals[signal] ?? 0;
}

/**
 * The process's peak resident set in KiB, as getrusage reports it: Linux keeps the same figure
 * (the memory map's high-water mark) as VmHWM in /proc/self/status, which one read of a small
 * file gives; process.resourceUsage() is code compiled afresh in every process. Elsewhere, that.
 */
export function peakRssKb(): number {
  try {
    const hwm = /\nVmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm !== undefined) return Number(hwm);
  } catch {
    // Not Linux, or /proc not mounted.
  }
  return process.resourceUsage().maxRSS;
}
