/**
 * submitJob and waitFor from a real job script run by the real runner, against a small real
 * HTTP server standing in for the API (the dispatcher e2e test runs them against the real one).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTree, runCli } from '../test-support/run-cli.ts';

const token = 'rct_' + 'a'.repeat(43);
const childId = '11111111-1111-4111-8111-111111111111';
let server: Server;
let url: string;
const seen: { method: string; path: string; auth: string; key: string; body: string }[] = [];
let polls = 0;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization ?? '', key: String(req.headers['idempotency-key'] ?? ''), body });
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/jobs') {
        const spec = JSON.parse(body) as { secrets?: string[] };
        if (spec.secrets?.length) {
          res.statusCode = 403;
          res.end(JSON.stringify({ error: { code: 'forbidden', message: 'spec.secrets[0]: the parent job was not given secret X', field: 'spec.secrets[0]' } }));
          return;
        }
        res.statusCode = 201;
        res.end(JSON.stringify({ id: childId, state: 'queued', parentId: 'p' }));
        return;
      }
      if (req.method === 'GET' && req.url === `/v1/jobs/${childId}`) {
        polls++;
        res.end(JSON.stringify(polls < 3 ? { id: childId, state: 'running', exitCode: null } : { id: childId, state: 'failed', exitCode: 7 }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const apiEnv = (): Record<string, string> => ({ REACTORCIDE_API_URL: url, REACTORCIDE_JOB_TOKEN: token });

test('an ES module job submits a child with its own token and waits for its end state and exit code', async () => {
  const src = await makeTree({
    'reactorcide_job.mjs': `
      import { submitJob, waitFor, ClientError } from 'reactorcide/job';
      const child = await submitJob({ source: { kind: 'directory', path: '/src' }, name: 'child' });
      const end = await waitFor(child, { pollMs: 10, timeoutMs: 10000 });
      console.log('child ' + end.id + ' ended ' + end.state + ' with ' + end.exitCode);
      try { await submitJob({ source: { kind: 'directory', path: '/src' }, secrets: ['X'] }); }
      catch (err) { console.log('refused ' + (err instanceof ClientError) + ' ' + err.code + ' ' + err.message); }
      console.log('token ' + process.env.REACTORCIDE_JOB_TOKEN);
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src], { env: apiEnv() });
  assert.equal(r.code, 0, r.text + r.stderr);
  assert.match(r.text, new RegExp(`child ${childId} ended failed with 7`));
  assert.match(r.text, /refused true forbidden spec\.secrets\[0\]: the parent job was not given secret X/);
  assert.match(r.text, /token \*\*\*REACTORCIDE_JOB_TOKEN\*\*\*/);
  assert.doesNotMatch(r.stdout, new RegExp(token));
  const submit = seen.find((s) => s.method === 'POST');
  assert.equal(submit?.auth, `Bearer ${token}`);
  assert.match(submit?.key ?? '', /^[0-9a-f-]{36}$/, 'a submit carries an Idempotency-Key, so a retry cannot make two children');
  assert.deepEqual(JSON.parse(submit?.body ?? '{}'), { source: { kind: 'directory', path: '/src' }, name: 'child' });
});

test('a CommonJS job gets the same functions through require()', async () => {
  polls = 0;
  const src = await makeTree({
    'reactorcide_job.js': `
      const { waitFor } = require('reactorcide/job');
      waitFor('${childId}', { pollMs: 10 }).then((end) => console.log('cjs sees ' + end.state + ' ' + end.exitCode));
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src], { env: apiEnv() });
  assert.equal(r.code, 0, r.text + r.stderr);
  assert.match(r.text, /cjs sees failed 7/);
});

test('waitFor gives up after its timeout; without a job API the job is told why', async () => {
  polls = -1000;
  const src = await makeTree({
    'reactorcide_job.mjs': `
      import { waitFor } from 'reactorcide/job';
      try { await waitFor('${childId}', { pollMs: 10, timeoutMs: 100 }); } catch (err) { console.log('gave up: ' + (err.code ?? err.message)); }
    `,
  });
  const r = await runCli(['run', '--format', 'ndjson', '--source', src], { env: apiEnv() });
  assert.equal(r.code, 0, r.text + r.stderr);
  assert.match(r.text, /gave up: timeout/);
  const bare = await runCli(['run', '--format', 'ndjson', '--source', src]);
  assert.match(bare.text, /REACTORCIDE_API_URL and REACTORCIDE_JOB_TOKEN are not set/);
});
