import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, coerceError, httpStatusOf, toAppError } from './errors.ts';

test('coerceError turns any thrown value into an Error with a reason', () => {
  assert.equal(coerceError('boom').message, 'boom');
  assert.match(coerceError({ a: 1 }).message, /"a":1/);
  assert.match(coerceError(undefined).message, /non-error thrown/);
  const e = new Error('x');
  assert.equal(coerceError(e), e);
});

test('toAppError hides unknown errors behind internal and keeps AppErrors', () => {
  const known = new AppError('conflict', 'taken');
  assert.equal(toAppError(known), known);
  const hidden = toAppError(new Error('SELECT secret FROM ...'));
  assert.equal(hidden.code, 'internal');
  assert.equal(hidden.message, 'internal error');
  assert.equal(httpStatusOf[hidden.code], 500);
});
