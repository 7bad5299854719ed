import type { LoadedPlugin } from '../plugin.ts';
import ciEnv from './ci-env.ts';

/** The runner's own plugins, always loaded. */
export const builtinPlugins: readonly LoadedPlugin[] = [{ plugin: ciEnv, origin: 'built-in ci-env' }];
