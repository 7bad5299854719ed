/**
 * Plugin order: topological by `before`/`after`, ties broken by name, so the same set of
 * plugins always runs in the same order. A cycle, an unknown name or a name used twice is an
 * error before anything runs.
 */
import { invalidInput } from '../../core/errors.ts';
import type { LoadedPlugin } from './plugin.ts';

export function orderPlugins(loaded: readonly LoadedPlugin[]): LoadedPlugin[] {
  const byName = new Map<string, LoadedPlugin>();
  for (const lp of loaded) {
    const other = byName.get(lp.plugin.name);
    if (other) throw invalidInput(`plugin name "${lp.plugin.name}" is used twice: by ${other.origin} and by ${lp.origin}`);
    byName.set(lp.plugin.name, lp);
  }

  // successors[a] holds every plugin that must run after a.
  const successors = new Map<string, Set<string>>([...byName.keys()].map((n) => [n, new Set<string>()]));
  const edge = (from: string, to: string, owner: LoadedPlugin, field: 'before' | 'after'): void => {
    for (const n of [from, to]) {
      if (!byName.has(n)) {
        throw invalidInput(`plugin "${owner.plugin.name}" (${owner.origin}) names unknown plugin "${n}" in ${field}; known: ${[...byName.keys()].sort().join(', ')}`);
      }
    }
    successors.get(from)?.add(to);
  };
  for (const lp of loaded) {
    for (const other of lp.plugin.before ?? []) edge(lp.plugin.name, other, lp, 'before');
    for (const other of lp.plugin.after ?? []) edge(other, lp.plugin.name, lp, 'after');
  }

  const indegree = new Map<string, number>([...byName.keys()].map((n) => [n, 0]));
  for (const tos of successors.values()) for (const to of tos) indegree.set(to, (indegree.get(to) ?? 0) + 1);

  const ready = [...byName.keys()].filter((n) => indegree.get(n) === 0).sort();
  const order: LoadedPlugin[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    order.push(byName.get(name) as LoadedPlugin);
    for (const to of [...(successors.get(name) ?? [])].sort()) {
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) insertSorted(ready, to);
    }
  }
  if (order.length < byName.size) {
    const stuck = [...byName.keys()].filter((n) => (indegree.get(n) ?? 0) > 0).sort();
    throw invalidInput(`plugin order has a cycle among: ${stuck.join(', ')}`);
  }
  return order;
}

function insertSorted(list: string[], name: string): void {
  let i = 0;
  while (i < list.length && (list[i] as string) < name) i++;
  list.splice(i, 0, name);
}
