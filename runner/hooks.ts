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

/** Each plugin's `hook`, in the given order; yields the failure of any that throws. */
async function* callHooks(plugins: readonly LoadedPlugin[], hook: HookName, ctx: PluginContext): AsyncGenerator<HookError> {
  for (const { plugin } of plugins) {
    const fn = plugin[hook];
    if (!fn) continue;
    try {
      await fn.call(plugin, ctx);
    } catch (err) {
      yield new HookError(plugin.name, hook, err);
    }
  }
}

/** Stops at the first failing hook (setup hooks): what follows may depend on it. */
export async function runHooks(plugins: readonly LoadedPlugin[], hook: HookName, ctx: PluginContext): Promise<void> {
  for await (const failure of callHooks(plugins, hook, ctx)) throw failure;
}

/** Runs every hook even if some fail (teardown hooks); returns the failures. */
export async function runAllHooks(plugins: readonly LoadedPlugin[], hook: HookName, ctx: PluginContext): Promise<HookError[]> {
  const failures: HookError[] = [];
  for await (const failure of callHooks(plugins, hook, ctx)) failures.push(failure);
  return failures;
}
