/**
 * The runner publishes itself here for plugins, which run inside its process. A global symbol
 * rather than a module variable, because a plugin may load its own copy of this library (from
 * the package, from dist/ or from source) and every copy must find the same runner.
 */
import type { JobInfo } from './job-info.ts';

export interface InProcessRunner {
  mask(value: string, name: string): void;
  readonly info: JobInfo;
}

const key = Symbol.for('reactorcide.runner');

export function inProcessRunner(): InProcessRunner | undefined {
  return (globalThis as Record<symbol, InProcessRunner | undefined>)[key];
}

export function publishInProcessRunner(runner: InProcessRunner | undefined): void {
  (globalThis as Record<symbol, InProcessRunner | undefined>)[key] = runner;
}
