import { fstatSync, readSync, writeSync } from 'node:fs';
import { inProcessRunner } from './in-process-runner.ts';

/**
 * Register a value to be masked in everything printed from now on, on every channel.
 * Synchronous on purpose: when mask() returns, the runner has the value, so printing it on the
 * very next line — to stdout or stderr — is already safe.
 *
 * Inside the runner (a plugin) it registers directly. In the job script's own process it asks the
 * runner over the control socket the runner handed it as fd 3, and waits for the answer. In any
 * other process (a grandchild), it falls back to the documented `::add-mask::VALUE` line on
 * stdout, which masks everything after it on stdout and, from the moment the runner reads it,
 * on stderr too.
 */
export function mask(value: string, name = 'MASKED'): void {
  if (typeof value !== 'string' || value === '') return;
  const runner = inProcessRunner();
  if (runner) {
    runner.mask(value, name);
    return;
  }
  const fd = controlFd();
  if (fd !== undefined) {
    requestMask(fd, value, name);
    return;
  }
  // One line; a value with a line break is registered line by line by the runner.
  for (const line of value.split(/\r?\n/)) if (line !== '') writeSync(1, `::add-mask::${line}\n`);
}

function controlFd(): number | undefined {
  const fd = Number(process.env.REACTORCIDE_CONTROL_FD);
  // The socket is handed only to the runner's direct child; a grandchild inherits the variable
  // but its fd 3 may be anything, and writing there could corrupt an unrelated file or socket.
  if (!Number.isInteger(fd) || String(process.ppid) !== process.env.REACTORCIDE_RUNNER_PID) return undefined;
  try {
    return fstatSync(fd).isSocket() ? fd : undefined;
  } catch {
    return undefined;
  }
}

function requestMask(fd: number, value: string, name: string): void {
  writeSync(fd, JSON.stringify({ op: 'mask', name, value }) + '\n');
  const buf = Buffer.alloc(64);
  let answer = '';
  while (!answer.includes('\n')) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) throw new Error('reactorcide: the runner closed the control socket before confirming mask()');
    answer += buf.toString('utf8', 0, n);
  }
  if (!answer.startsWith('ok')) throw new Error(`reactorcide: the runner refused mask(): ${answer.trim()}`);
}
