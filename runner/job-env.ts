/**
 * The environment the job script will get, built up through the phases: the runner's own
 * environment (less its control variables), the run's REACTORCIDE_* facts, and what plugins set.
 */
import { isRunnerControlVar } from './config.ts';
import type { PluginEnv } from './plugins/plugin.ts';

export class JobEnv implements PluginEnv {
  private readonly vars = new Map<string, string>();

  constructor(
    base: Readonly<Record<string, string | undefined>>,
    /** Called for every variable a plugin sets, so secret-looking ones get masked. */
    private readonly onSet: (name: string, value: string) => void = () => {},
  ) {
    for (const [k, v] of Object.entries(base)) if (v !== undefined && !isRunnerControlVar(k)) this.vars.set(k, v);
  }

  get(name: string): string | undefined {
    return this.vars.get(name);
  }

  set(name: string, value: string): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`env var name ${JSON.stringify(name)} is not valid`);
    if (typeof value !== 'string') throw new Error(`env var ${name} must be set to a string`);
    if (isRunnerControlVar(name)) throw new Error(`${name} is the runner's own setting and cannot be set by a plugin`);
    this.vars.set(name, value);
    this.onSet(name, value);
  }

  /** Facts of the run itself: not for plugins to change, so no checks and no masking. */
  setFact(name: string, value: string): void {
    this.vars.set(name, value);
  }

  delete(name: string): void {
    this.vars.delete(name);
  }

  entries(): Record<string, string> {
    return Object.fromEntries(this.vars);
  }
}
