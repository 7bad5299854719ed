import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWakeSignal } from './wake-signal.ts';

const elapsed = async (p: Promise<void>): Promise<number> => {
  const t0 = performance.now();
  await p;
  return performance.now() - t0;
};

test('a notify ends every current wait before its timeout', async () => {
  const wake = createWakeSignal();
  const waits = [wake.wait(10_000), wake.wait(10_000)];
  setTimeout(() => wake.notify(), 5);
  const times = await Promise.all(waits.map(elapsed));
  for (const t of times) assert.ok(t < 5_000, `waited ${t} ms`);
});

test('a notify with no one waiting is kept for the next wait, once', async () => {
  const wake = createWakeSignal();
  wake.notify();
  assert.ok((await elapsed(wake.wait(10_000))) < 5_000);
  // Consumed: the next wait runs to its timeout.
  assert.ok((await elapsed(wake.wait(30))) >= 25);
});

test('a wait ends at its timeout, or when its signal aborts', async () => {
  const wake = createWakeSignal();
  assert.ok((await elapsed(wake.wait(30))) >= 25);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 5);
  assert.ok((await elapsed(wake.wait(10_000, stop.signal))) < 5_000);
});
