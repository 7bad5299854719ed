import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, maxBackoffMs, shouldRetry } from './retry-policy.ts';

const retry = { maxAttempts: 3, backoffSeconds: 10, onFailed: false };

test('errored is retried while attempts remain; failed only with onFailed; the others never', () => {
  assert.equal(shouldRetry(undefined, 1, 'errored'), false);
  assert.equal(shouldRetry(retry, 1, 'errored'), true);
  assert.equal(shouldRetry(retry, 2, 'errored'), true);
  assert.equal(shouldRetry(retry, 3, 'errored'), false);
  assert.equal(shouldRetry(retry, 1, 'failed'), false);
  assert.equal(shouldRetry({ ...retry, onFailed: true }, 1, 'failed'), true);
  for (const state of ['succeeded', 'cancelled', 'timed_out'] as const) assert.equal(shouldRetry({ ...retry, onFailed: true }, 1, state), false);
});

test('backoff doubles from backoffSeconds, is capped, and jitter only stretches it', () => {
  assert.equal(backoffMs(retry, 1, 0), 10_000);
  assert.equal(backoffMs(retry, 2, 0), 20_000);
  assert.equal(backoffMs(retry, 3, 0), 40_000);
  assert.equal(backoffMs(retry, 1, 0.999), Math.round(10_000 * (1 + 0.2 * 0.999)));
  assert.equal(backoffMs(retry, 19, 0), maxBackoffMs);
  // A backoff longer than the cap is the floor, not cut down.
  assert.equal(backoffMs({ backoffSeconds: 7200 }, 3, 0), 7_200_000);
  assert.equal(backoffMs({ backoffSeconds: 0 }, 5, 0.5), 0);
});
