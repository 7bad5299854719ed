import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveJobLog } from '../archive-job-log.ts';
import { archiveDueLogs, findLogsDueForArchive } from '../archive-due-logs.ts';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { encodeArchiveLine, logArchiveKey } from '../archive-format.ts';
import { pruneLogArchives } from '../prune-log-archives.ts';
import { silentLogger } from '../../deps.ts';
import { chunkCount, jobWithLog, readAll, rec, type ArchiveFixture } from './archive-fixture.ts';

/** Archive, read back by offset, late chunks, retention: run over each ObjectStore adapter. */
export function archiveSuite(label: string, fixture: () => ArchiveFixture): void {
  test(`${label}: an ended job's chunks become one archive that reads back identically from any offset`, async () => {
    const f = fixture();
    const tricky = 'q"uo\\te\t\u0001\u001f\u007f \u2028 😀 </script>\r\n';
    const id = await jobWithLog(f, [[rec('a\n'), rec('b', 'stderr')], [rec('c\n')], [rec('d\n'), rec(tricky), rec('ünï\n', 'system')]], false);
    assert.deepEqual(await archiveJobLog(f, id), { status: 'not_ended' });
    await f.jobs.transition(id, { to: 'succeeded', exitCode: 0 });
    const live = await readAll(f, id);
    assert.deepEqual(live.map((r) => r.offset), [0, 1, 2, 3, 4, 5]);

    const outcome = await archiveJobLog(f, id);
    assert.equal(outcome.status, 'archived');
    if (outcome.status !== 'archived') return;
    assert.equal(outcome.deletedChunks, 3);
    assert.equal(outcome.archive.key, logArchiveKey(id));
    assert.equal(outcome.archive.recordCount, 6);
    assert.equal(outcome.archive.nextOffset, 6);
    assert.deepEqual(outcome.archive, await f.archives.get(id), 'the outcome is the archive as recorded');
    assert.equal(await chunkCount(f.db, id), 0);
    const head = await f.objects.head(logArchiveKey(id));
    assert.equal(head?.size, outcome.archive.size);
    const stored = gunzipSync(await buffer(await f.objects.get(logArchiveKey(id)))).toString('utf8');
    assert.equal(stored, live.map(encodeArchiveLine).join(''), 'the archive holds the API\'s NDJSON lines byte for byte');

    for (const offset of [0, 1, 4, 5, 6, 99]) {
      assert.deepEqual(await readAll(f, id, offset), live.filter((r) => r.offset >= offset), `offset ${offset}`);
    }
    assert.deepEqual(await readAll(f, id, 2, true), live.slice(2), 'follow on an archived job returns the rest and ends');
    assert.equal((await archiveJobLog(f, id)).status, 'already');
  });

  test(`${label}: a record appended after the archive was cut stays live and is served after the archive`, async () => {
    const f = fixture();
    const id = await jobWithLog(f, [[rec('1\n'), rec('2\n')]]);
    await archiveJobLog(f, id);
    await f.logs.append(id, [rec('late\n')]);
    const all = await readAll(f, id);
    assert.deepEqual(all.map((r) => [r.offset, r.text]), [[0, '1\n'], [1, '2\n'], [2, 'late\n']]);
    assert.deepEqual((await readAll(f, id, 2)).map((r) => r.text), ['late\n']);
  });

  test(`${label}: a log of many chunks streams through in order with no gap or repeat`, async () => {
    const f = fixture();
    const batches = Array.from({ length: 450 }, (_, i) => [rec(`line ${i}a\n`), rec(`line ${i}b\n`)]);
    const id = await jobWithLog(f, batches);
    const outcome = await archiveJobLog(f, id);
    assert.equal(outcome.status === 'archived' && outcome.archive.recordCount, 900);
    const back = await readAll(f, id, 123);
    assert.deepEqual(back.map((r) => r.offset), Array.from({ length: 900 - 123 }, (_, i) => 123 + i));
    assert.equal(back.at(-1)?.text, 'line 449b\n');
  });

  test(`${label}: a job with no output archives as an empty log`, async () => {
    const f = fixture();
    const id = await jobWithLog(f, []);
    const outcome = await archiveJobLog(f, id);
    assert.equal(outcome.status === 'archived' && outcome.archive.recordCount, 0);
    assert.deepEqual(await readAll(f, id), []);
  });

  test(`${label}: the pass finds ended jobs past the grace, and retention deletes old archives for good`, async () => {
    const f = fixture();
    const id = await jobWithLog(f, [[rec('keep me\n')]]);
    const running = await jobWithLog(f, [[rec('still going\n')]], false);
    assert.ok(!(await findLogsDueForArchive(f, { graceMs: 60_000, limit: 1000 })).includes(id), 'inside the grace');
    const later = new Date(Date.now() + 120_000);
    const due = await findLogsDueForArchive(f, { graceMs: 60_000, now: later, limit: 1000 });
    assert.ok(due.includes(id) && !due.includes(running));
    const pass = await archiveDueLogs({ ...f, logger: silentLogger }, { graceMs: 60_000, now: later, limit: 1000 });
    assert.ok(pass.archived >= 1 && pass.failed === 0);
    assert.ok(!(await findLogsDueForArchive(f, { graceMs: 0, now: later, limit: 1000 })).includes(id));

    assert.equal(await pruneLogArchives(f, new Date(Date.now() - 3_600_000)), 0, 'nothing that old');
    assert.ok((await pruneLogArchives(f, new Date(Date.now() + 1000))) >= 1);
    assert.equal(await f.objects.head(logArchiveKey(id)), undefined);
    assert.notEqual((await f.archives.get(id))?.prunedAt, null);
    assert.deepEqual(await readAll(f, id), []);
    assert.ok(!(await findLogsDueForArchive(f, { graceMs: 0, now: later, limit: 1000 })).includes(id), 'not archived again');
    assert.deepEqual((await readAll(f, running)).map((r) => r.text), ['still going\n']);
  });
}
