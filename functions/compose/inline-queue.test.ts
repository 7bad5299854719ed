import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineQueueFor } from './inline-queue.ts';

test('submits enqueue inline only when this process dispatches from the Postgres queue', () => {
  const own = { enabled: true, corndogsAddress: null };
  assert.ok(inlineQueueFor({ databaseUrl: null }, own));
  assert.ok(inlineQueueFor({ databaseUrl: 'postgres://db/rc' }, own));
  // Dispatchers elsewhere may take jobs from any queue; Corndogs has no table to write.
  assert.equal(inlineQueueFor({ databaseUrl: null }, { enabled: false, corndogsAddress: null }), undefined);
  assert.equal(inlineQueueFor({ databaseUrl: null }, { enabled: true, corndogsAddress: 'corndogs:5080' }), undefined);
});

test('embedded, the enqueue sends no NOTIFY (it does not cross PGlite connections); on a shared database it does', () => {
  assert.doesNotMatch(inlineQueueFor({ databaseUrl: null }, { enabled: true, corndogsAddress: null })?.inlineEnqueue.ctes ?? '', /pg_notify/);
  assert.match(inlineQueueFor({ databaseUrl: 'postgres://db/rc' }, { enabled: true, corndogsAddress: null })?.inlineEnqueue.ctes ?? '', /pg_notify/);
});
