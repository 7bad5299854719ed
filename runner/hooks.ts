/** Runs one hook of every plugin that has it, in the given order, with a context per plugin. */
import { coerceError } from '../core/errors.ts';
import type { HookName, LoadedPlugin, PluginContext } from './plugins/plugin.ts';

export class HookError extends Error {
  constructor(
    readonly plugin: string,
    readonly hook: HookName,
    cause: unknown,
  ) {
    super(`plugin ${plugin} ${hook} hook failed: ${coerceError(cause).message}`, { cause });
  }
}

/**
 * Told of each hook that returned a promise, before it is awaited: a run holds the process open
 * only while such a hook is pending (a hook awaiting only its signal keeps nothing alive itself),
 * and bounds cleanup in time only then — most runs' hooks all return at once, and a timer is code
 * Node compiles afresh in every process.
 */
export type OnPendingHook = () => void;

/** Each plugin's `hook`, in the given order; yields the failure of any that throws. */
async function* callHooks(
  plugins: readonly LoadedPlugin[],
  hook: HookName,
  ctx: PluginContext,
  onPending: OnPendingHook | undefined,
): AsyncGenerator<HookError> {
  for (const { plugin } of plugins) {
    const fn = plugin[hook];
    if (!fn) continue;
    try {
      const result: unknown = fn.call(plugin, ctx);
      if (isThenable(result)) {
        onPending?.();
        await result;
      }
    } catch (err) {
      yield new HookError(plugin.name, hook, err);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Stops at the first failing hook (setup hooks): what follows may depend on it. */
export async function runHooks(plugins: readonly LoadedPlugin[], hook: HookName, ctx: PluginContext, onPending?: OnPendingHook): Promise<void> {
  for await (const failure of callHooks(plugins, hook, ctx, onPending)) throw failure;
}

/** Runs every hook even if some fail (teardown hooks); returns the failures. */
export async function runAllHooks(
  plugins: readonly LoadedPlugin[],
  hook: HookName,
  ctx: PluginContext,
  onPending?: OnPendingHook,
): Promise<HookError[]> {
  const failures: HookError[] = [];
  for await (const failure of callHooks(plugins, hook, ctx, onPending)) failures.push(failure);
  return failures;
}
