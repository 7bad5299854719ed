import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPgListener } from '../pgqueue/index.ts';
import { createOutboxNotifier, outboxChannel } from './outbox-notify.ts';
import { createTestDatabase } from './test-support/test-database.ts';

test('outbox notifications are coalesced: a burst of writes costs two NOTIFYs, the last sent after the last write', async () => {
  const database = await createTestDatabase();
  let heard = 0;
  const listener = startPgListener({ db: database.db, channel: outboxChannel, onNotify: () => heard++ });
  try {
    await listener.listening();
    const errors: unknown[] = [];
    const notify = createOutboxNotifier(database.db, (err) => errors.push(err));
    for (let i = 0; i < 50; i++) notify(); // the first is sent at once; the other 49 share one more
    const deadline = Date.now() + 10_000;
    while (heard < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // nothing else is on its way
    assert.equal(heard, 2);
    notify(); // idle again: sent at once
    while (heard < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(heard, 3);
    assert.deepEqual(errors, []);
  } finally {
    await listener.close();
    await database.drop();
  }
});
