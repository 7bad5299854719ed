import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/errors.ts';
import { backoffDelay, isTransient, withRetries } from './retry.ts';
import { redactUrl } from './redact-url.ts';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

test('backoff doubles its ceiling per retry, capped, with full jitter below it', () => {
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(policy, n, () => 0.999999)), [99, 199, 399, 799, 999]);
  assert.equal(backoffDelay(policy, 3, () => 0), 0);
});

test('only unavailable, and not a cancellation, is transient', () => {
  assert.equal(isTransient(new AppError('unavailable', 'x')), true);
  assert.equal(isTransient(new AppError('unavailable', 'x', { cancelled: true })), false);
  for (const code of ['not_found', 'invalid_input', 'too_large', 'forbidden', 'internal'] as const) {
    assert.equal(isTransient(new AppError(code, 'x')), false);
  }
  assert.equal(isTransient(new Error('ECONNRESET')), false, 'untranslated errors are not guessed at');
});

test('withRetries stops at the first success, at a permanent error, or after the last attempt', async () => {
  const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
  let n = 0;
  assert.equal(await withRetries(fast, async (i) => (++n < 2 ? Promise.reject(new AppError('unavailable', 'x')) : i)), 2);
  n = 0;
  await assert.rejects(withRetries(fast, async () => (n++, Promise.reject(new AppError('not_found', 'x')))), /x/);
  assert.equal(n, 1);
  n = 0;
  await assert.rejects(withRetries(fast, async () => (n++, Promise.reject(new AppError('unavailable', 'down')))), /down/);
  assert.equal(n, 3);
});

test('redactUrl hides credentials and query strings', () => {
  assert.equal(redactUrl('https://u:p@h.example/a.tgz?X-Amz-Signature=s#f'), 'https://REDACTED@h.example/a.tgz?REDACTED');
  assert.equal(redactUrl('s3://bucket/key.tgz'), 's3://bucket/key.tgz');
  assert.equal(redactUrl('not a url'), '(unparseable URL)');
});
