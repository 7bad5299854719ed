import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderPlugins } from './order-plugins.ts';
import type { LoadedPlugin, Plugin } from './plugin.ts';

const p = (name: string, extra: Partial<Plugin> = {}): LoadedPlugin => ({ plugin: { name, ...extra }, origin: `test ${name}` });
const names = (list: LoadedPlugin[]): string[] => list.map((l) => l.plugin.name);

test('with no constraints plugins run in name order, whatever order they were found in', () => {
  assert.deepEqual(names(orderPlugins([p('c'), p('a'), p('b')])), ['a', 'b', 'c']);
});

test('before and after constraints win over names, ties still broken by name', () => {
  const order = orderPlugins([p('a', { after: ['z'] }), p('z'), p('m', { before: ['b'] }), p('b'), p('c', { before: ['a'] })]);
  assert.deepEqual(names(order), ['c', 'm', 'b', 'z', 'a']);
  const at = (n: string): number => names(order).indexOf(n);
  assert.ok(at('z') < at('a') && at('m') < at('b') && at('c') < at('a'));
});

test('a cycle is an error that names the plugins in it', () => {
  assert.throws(
    () => orderPlugins([p('a', { after: ['b'] }), p('b', { after: ['c'] }), p('c', { after: ['a'] }), p('free')]),
    /cycle among: a, b, c/,
  );
});

test('an unknown name is an error that says who named it and what is known', () => {
  assert.throws(() => orderPlugins([p('a', { before: ['nope'] }), p('b')]), /plugin "a" \(test a\) names unknown plugin "nope" in before; known: a, b/);
});

test('two plugins with one name is an error naming both origins', () => {
  assert.throws(() => orderPlugins([p('dup'), { plugin: { name: 'dup' }, origin: 'other place' }]), /used twice: by test dup and by other place/);
});
