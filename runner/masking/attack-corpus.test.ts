/**
 * Attacks a job could mount on the log, run as real processes whose stdout and stderr go through
 * one MaskStream each, exactly as the runner's pipes do. Each test also checks that the raw
 * output really held the secret, so none can pass by the attack silently not happening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SecretMasker } from './secret-masker.ts';

interface Captured {
  out: string;
  err: string;
  rawOut: string;
  rawErr: string;
  /** Number of reads that arrived on stdout and stderr together. */
  reads: number;
}

async function run(masker: SecretMasker, command: string, args: string[], env: Record<string, string>): Promise<Captured> {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = { out: [] as Buffer[], err: [] as Buffer[], rawOut: [] as Buffer[], rawErr: [] as Buffer[] };
  let reads = 0;
  const attach = (from: NodeJS.ReadableStream, raw: Buffer[], masked: Buffer[]): Promise<void> => {
    const stream = masker.stream();
    return new Promise((resolve, reject) => {
      from.on('data', (chunk: Buffer) => {
        reads++;
        raw.push(chunk);
        masked.push(Buffer.from(stream.write(chunk)));
      });
      from.on('end', () => {
        masked.push(Buffer.from(stream.end()));
        resolve();
      });
      from.on('error', reject);
    });
  };
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  await Promise.all([attach(child.stdout, result.rawOut, result.out), attach(child.stderr, result.rawErr, result.err), exited]);
  const text = (parts: Buffer[]): string => Buffer.concat(parts).toString('utf8');
  return { out: text(result.out), err: text(result.err), rawOut: text(result.rawOut), rawErr: text(result.rawErr), reads };
}

const token = 'ghp_R3alT0ken/With+Odd"Chars\'é';

function tokenMasker(): SecretMasker {
  const m = new SecretMasker();
  m.add('DEPLOY_TOKEN', token);
  return m;
}

function assertClean(masked: string, what: readonly string[]): void {
  for (const w of what) assert.ok(!masked.includes(w), `${JSON.stringify(w)} leaked in ${JSON.stringify(masked)}`);
}

test('a grandchild process prints the secret to stderr', async () => {
  const script = 'node -e "process.stderr.write(\'from grandchild: \' + process.env.DEPLOY_TOKEN + \'\\n\')"; true';
  const r = await run(tokenMasker(), 'sh', ['-c', script], { DEPLOY_TOKEN: token });
  assert.ok(r.rawErr.includes(token));
  assert.equal(r.err, 'from grandchild: ***DEPLOY_TOKEN***\n');
});

test('the secret printed one byte per write, with delays between writes', async () => {
  const script = `
    const b = Buffer.from('x=' + process.env.DEPLOY_TOKEN + ';\\n');
    let i = 0;
    const next = () => { if (i < b.length) { process.stdout.write(b.subarray(i, ++i)); setTimeout(next, 3); } };
    next();`;
  const r = await run(tokenMasker(), process.execPath, ['-e', script], { DEPLOY_TOKEN: token });
  assert.ok(r.reads > 3, `the bytes arrived in ${r.reads} reads`);
  assert.ok(r.rawOut.includes(token));
  assert.equal(r.out, 'x=***DEPLOY_TOKEN***;\n');
});

test('base64 of prefix + secret + suffix, by the real base64 tool', async () => {
  const m = new SecretMasker();
  m.add('REGISTRY_PASSWORD', 's3cr3t-P4ss');
  const r = await run(m, 'sh', ['-c', 'for p in "" u uu uuu; do printf "%s:%s:tail" "$p" "$REGISTRY_PASSWORD" | base64; done'], { REGISTRY_PASSWORD: 's3cr3t-P4ss' });
  const blobs = r.rawOut.trim().split('\n');
  assert.equal(blobs.length, 4);
  for (const blob of blobs) assert.ok(Buffer.from(blob, 'base64').toString().includes('s3cr3t-P4ss'));
  assert.equal(r.out.split('***REGISTRY_PASSWORD***').length, 5, r.out);
  for (const line of r.out.trim().split('\n')) {
    assert.ok(!Buffer.from(line.replace(/\*\*\*REGISTRY_PASSWORD\*\*\*/, ''), 'base64').toString('latin1').includes('s3cr3t'));
  }
});

test('a multi-line private key echoed with CRLF line ends', async () => {
  const key = [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACBkHq0Hk2YTz5MZf1qnm4nQ0LpHPyzS6v8QDvU0vjP1FQAAAJgtKfYULSn2',
    '-----END OPENSSH PRIVATE KEY-----',
  ].join('\n');
  const m = new SecretMasker();
  m.add('DEPLOY_SSH_KEY', key);
  const r = await run(m, 'sh', ['-c', 'printf "%s\\n" "$DEPLOY_SSH_KEY" | sed "s/\\$/\\r/"; printf "%s\\n" "$DEPLOY_SSH_KEY" | tail -n 2 >&2'], { DEPLOY_SSH_KEY: key });
  assert.ok(r.rawOut.includes('\r\n') && r.rawOut.includes('b3BlbnNzaC1rZXkt'));
  assert.equal(r.out, '***DEPLOY_SSH_KEY***\r\n');
  assert.equal(r.err, '***DEPLOY_SSH_KEY***\n***DEPLOY_SSH_KEY***\n');
});

test('the secret inside a URL: userinfo and query, percent-encoded', async () => {
  const script = `const t = process.env.DEPLOY_TOKEN;
    const u = new URL('https://example.com/repo.git');
    u.username = 'ci'; u.password = t; u.searchParams.set('token', t);
    console.log('cloning ' + u.href);
    console.log('fetch https://example.com/?t=' + encodeURIComponent(t));`;
  const r = await run(tokenMasker(), process.execPath, ['-e', script], { DEPLOY_TOKEN: token });
  assert.ok(r.rawOut.includes(encodeURIComponent(token)));
  assertClean(r.out, ['R3alT0ken']);
  assert.equal(r.out.split('***DEPLOY_TOKEN***').length, 4, r.out);
});

test('the secret inside JSON, as JSON.stringify and Python-style ASCII escaping print it', async () => {
  const script = `const t = process.env.DEPLOY_TOKEN;
    console.log(JSON.stringify({ auths: { 'ghcr.io': { auth: t } } }));
    console.log(JSON.stringify({ t }).replace(/[\\u0080-\\uffff]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));`;
  const r = await run(tokenMasker(), process.execPath, ['-e', script], { DEPLOY_TOKEN: token });
  assert.ok(r.rawOut.includes('\\"Chars'));
  assertClean(r.out, ['R3alT0ken']);
  assert.equal(r.out, '{"auths":{"ghcr.io":{"auth":"***DEPLOY_TOKEN***"}}}\n{"t":"***DEPLOY_TOKEN***"}\n');
});

test('the secret in an uncaught exception message and its stack', async () => {
  const script = 'function deploy(t) { throw new Error("auth rejected for " + t); } deploy(process.env.DEPLOY_TOKEN);';
  const r = await run(tokenMasker(), process.execPath, ['-e', script], { DEPLOY_TOKEN: token });
  assert.ok(r.rawErr.includes(`auth rejected for ${token}`));
  assertClean(r.err, ['R3alT0ken']);
  assert.match(r.err, /Error: auth rejected for \*\*\*DEPLOY_TOKEN\*\*\*/);
});

test('bash xtrace quoting, printf %q and a full env dump', async () => {
  const r = await run(tokenMasker(), 'bash', ['-xc', 'curl_args=(-H "Authorization: Bearer $DEPLOY_TOKEN"); printf "%q\\n" "$DEPLOY_TOKEN"; env'], { DEPLOY_TOKEN: token });
  assert.ok(r.rawErr.includes(`'\\''`) && r.rawOut.includes(`DEPLOY_TOKEN=${token}`));
  assertClean(r.out + r.err, ['R3alT0ken']);
  assert.match(r.out, /^DEPLOY_TOKEN=\*\*\*DEPLOY_TOKEN\*\*\*$/m);
});

test('hex dumps in either case', async () => {
  const script = 'const h = Buffer.from(process.env.DEPLOY_TOKEN).toString("hex"); console.log(h); console.log(h.toUpperCase());';
  const r = await run(tokenMasker(), process.execPath, ['-e', script], { DEPLOY_TOKEN: token });
  assert.ok(r.rawOut.includes(Buffer.from(token).toString('hex')));
  assert.equal(r.out, '***DEPLOY_TOKEN***\n***DEPLOY_TOKEN***\n');
});
