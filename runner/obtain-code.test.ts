import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNNER_ERROR_EXIT_CODE } from '../core/run-summary.ts';
import { makeTar, sha256 } from './fetch/test-support/tarballs.ts';
import { makeTree, runCli } from './test-support/run-cli.ts';

const ndjson = ['run', '--format', 'ndjson'];

test('source and job code come from archive URLs, verified by sha256, top directory stripped', async () => {
  const dir = await makeTree({});
  const source = await makeTar(
    [
      { header: { name: 'repo-abc123/', type: 'directory', mode: 0o755 } },
      { header: { name: 'repo-abc123/data.txt' }, body: 'from the source archive\n' },
      { header: { name: 'repo-abc123/reactorcide_job.sh' }, body: 'echo EVIL source script\n' },
    ],
    { gzip: true },
  );
  const job = await makeTar(
    [
      { header: { name: 'jobs-1/', type: 'directory', mode: 0o755 } },
      { header: { name: 'jobs-1/reactorcide_job.sh' }, body: 'echo "approved job sees: $(cat data.txt)"\n' },
    ],
    { gzip: true },
  );
  await writeFile(join(dir, 'source.tgz'), source);
  // The job code over HTTP, as from an object store or a VCS host.
  const server = createServer((_req, res) => res.end(job)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const jobUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jobs.tgz`;
  try {
    const r = await runCli([...ndjson, '--source', pathToFileURL(join(dir, 'source.tgz')).href, '--job', jobUrl, '--work-dir', join(dir, 'work')], {
      env: {
        REACTORCIDE_SOURCE_SHA256: sha256(source),
        REACTORCIDE_JOB_CODE_SHA256: `sha256:${sha256(job)}`,
        REACTORCIDE_STRIP_TOP_LEVEL: 'true',
        REACTORCIDE_ALLOW_HTTP: 'true',
      },
    });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /approved job sees: from the source archive/);
    assert.doesNotMatch(r.text, /EVIL/);
    assert.match(r.text, new RegExp(`sha256 ${sha256(source)}`));
  } finally {
    server.close();
  }
});

test('a digest mismatch is errored in fetch_source, names both digests, and leaves nothing', async () => {
  const dir = await makeTree({});
  const source = await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo ran\n' }]);
  await writeFile(join(dir, 'source.tar'), source);
  const wrong = 'ab'.repeat(32);
  const r = await runCli([...ndjson, '--source', pathToFileURL(join(dir, 'source.tar')).href, '--work-dir', join(dir, 'work')], {
    env: { REACTORCIDE_SOURCE_SHA256: wrong },
  });
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.equal(r.summary?.error?.phase, 'fetch_source');
  assert.match(r.summary?.error?.message ?? '', new RegExp(`${wrong}[\\s\\S]*${sha256(source)}|${sha256(source)}[\\s\\S]*${wrong}`));
  assert.doesNotMatch(r.text, /\bran\b/);
  // The run created its work dir, and removed it.
  assert.equal(existsSync(join(dir, 'work')), false);
});

test('a work dir the run was given and did not create is left as found', async () => {
  const dir = await makeTree({});
  await writeFile(join(dir, 'source.tar'), await makeTar([{ header: { name: 'reactorcide_job.sh' }, body: 'echo ran\n' }]));
  await mkdir(join(dir, 'work'));
  await writeFile(join(dir, 'work', 'mine'), 'kept');
  const r = await runCli([...ndjson, '--source', pathToFileURL(join(dir, 'source.tar')).href, '--work-dir', join(dir, 'work')]);
  assert.equal(r.code, 0, r.text);
  assert.ok((await readdir(join(dir, 'work'))).includes('mine'));
});

test('plain http is refused unless allowed', async () => {
  const r = await runCli([...ndjson, '--source', 'http://127.0.0.1:9/x.tgz']);
  assert.equal(r.code, RUNNER_ERROR_EXIT_CODE);
  assert.match(r.summary?.error?.message ?? '', /http/i);
});
