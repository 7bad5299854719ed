/**
 * What a plugin is: a module whose default export has a `name`, optional ordering constraints,
 * and functions named after the hooks it takes part in. Plugins come from the runner's
 * built-ins, from `.reactorcide/plugins/` in the job code (never from an untrusted source),
 * and from the directory named by REACTORCIDE_PLUGIN_DIR.
 */
import type { Phase } from '../../core/phases.ts';
import type { RunOutcome } from '../../core/run-summary.ts';

export const hookNames = ['startup', 'environment', 'beforeRun', 'afterRun', 'cleanup'] as const;
export type HookName = (typeof hookNames)[number];

/** Env vars the job will see; a plugin's changes carry into later phases and the script. */
export interface PluginEnv {
  get(name: string): string | undefined;
  /** Setting a variable whose name looks secret (`*_TOKEN`, …) also masks its value. */
  set(name: string, value: string): void;
  delete(name: string): void;
  /** A copy of every variable, as the job would get it now. */
  entries(): Record<string, string>;
}

/** How the script ended, for afterRun and cleanup hooks. */
export interface ScriptResult {
  readonly outcome: RunOutcome;
  readonly exitCode?: number;
  readonly signal?: string;
}

export interface PluginContext {
  readonly job: { readonly id: string; readonly sourceDir: string; readonly jobDir: string; readonly workDir: string };
  readonly phase: Phase;
  readonly env: PluginEnv;
  /** Mask a value in everything printed from now on. */
  mask(value: string, name?: string): void;
  /** A line in the job's log, in the runner's voice (masked). */
  log(message: string): void;
  /** Aborted when the run is cancelled; long hooks should stop when it fires. */
  readonly signal: AbortSignal;
  /** Set for afterRun and cleanup hooks once the script has run (or been skipped). */
  readonly result: ScriptResult | undefined;
}

export type Hook = (ctx: PluginContext) => void | Promise<void>;

export interface Plugin {
  readonly name: string;
  /** Names of plugins this one's hooks run before. */
  readonly before?: readonly string[];
  /** Names of plugins this one's hooks run after. */
  readonly after?: readonly string[];
  readonly startup?: Hook;
  readonly environment?: Hook;
  readonly beforeRun?: Hook;
  readonly afterRun?: Hook;
  readonly cleanup?: Hook;
}

/** A plugin with where it came from, for error messages. */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  readonly origin: string;
}

/** For plugin authors: `export default definePlugin({ name: 'x', startup(ctx) { … } })`. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}
