import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CodeLocation, DefinitionRunSpec, Job, SubmitSpec } from '../../client/index.ts';
import { parseRef } from './definition-command.ts';
import { gitignoreFilter } from '../client/gitignore-filter.ts';
import { tarballSource, uploadDirectory } from '../client/upload-blob.ts';
import { exitCodeOfJob, exitCodes, UsageError } from './exit-codes.ts';
import { writeRecord } from './logs-command.ts';
import { startProgress } from './progress.ts';
import type { RemoteContext } from './run-remote.ts';
import { describeEnd } from './wait-command.ts';
import { jsonText } from './terminal.ts';

export interface SubmitFlags {
  readonly definition?: string;
  readonly param?: readonly string[];
  readonly spec?: string;
  readonly source?: string;
  readonly sourceSha256?: string;
  readonly sourceOnServer?: string;
  readonly job?: string;
  readonly jobSha256?: string;
  readonly name?: string;
  readonly env?: readonly string[];
  readonly secret?: readonly string[];
  readonly label?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly timeout?: string;
  readonly queue?: string;
  readonly priority?: string;
  readonly image?: string;
  readonly idempotencyKey?: string;
  readonly detach?: boolean;
}

const urlPattern = /^(https?|s3|file):\/\//;
/** The embedded server's data directory, often inside the project; never part of a job's source. */
const alwaysLeftOut = new Set(['.reactorcide-data']);

function pairs(flag: string, values: readonly string[] | undefined): Record<string, string> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${v}: expected NAME=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a whole number, not ${JSON.stringify(value)}`);
  return n;
}

async function readSpecFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--spec ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--spec ${path}: expected a JSON object (a job spec)`);
  return parsed as Record<string, unknown>;
}

/**
 * A `--source`/`--job` value as a code location: a URL is named as is; a local directory is
 * packed (as git sees it: .gitignore honoured) and uploaded, and named by its digest.
 */
async function location(ctx: RemoteContext, flag: string, value: string, sha256: string | undefined): Promise<CodeLocation> {
  if (urlPattern.test(value)) return { kind: 'tarball', url: value, ...(sha256 === undefined ? {} : { sha256 }) };
  if (sha256 !== undefined) throw new UsageError(`${flag}-sha256 goes with a URL; a directory is hashed as it is uploaded`);
  return uploadSourceDirectory(ctx, flag, value);
}

/** A local directory packed as git sees it, uploaded, and named as a pinned tarball. */
export async function uploadSourceDirectory(ctx: RemoteContext, flag: string, value: string): Promise<{ kind: 'tarball'; url: string; sha256: string }> {
  const dir = resolve(value);
  const st = await stat(dir).catch(() => null);
  if (st?.isDirectory() !== true) throw new UsageError(`${flag} ${value}: not a directory; give a directory or an http(s)://, s3:// or file:// URL`);
  const progress = startProgress(ctx.term);
  progress.update(`packing and uploading ${value}`);
  const git = gitignoreFilter(dir);
  try {
    const blob = await uploadDirectory(ctx.client, dir, { ignore: (p, isDir) => alwaysLeftOut.has(p) || git(p, isDir) });
    progress.stop();
    ctx.term.err(`reactorcide: uploaded ${value} (${(blob.size / 1024).toFixed(1)} KiB, sha256 ${blob.sha256.slice(0, 12)}…)\n`);
    return tarballSource(blob);
  } finally {
    progress.stop();
  }
}

/**
 * A run of a definition: only the source, params and a maintainer's extras. Flags that would
 * change what runs are not dropped quietly: the server refuses them, naming the field.
 */
async function definitionRun(ctx: RemoteContext, flags: SubmitFlags, command: readonly string[]): Promise<DefinitionRunSpec> {
  parseRef(flags.definition ?? '');
  const spec = await buildSpec(ctx, { ...flags, definition: undefined, param: undefined }, command);
  const { source: _source, ...rest } = spec as unknown as Record<string, unknown>;
  const params = pairs('--param', flags.param);
  return { definition: flags.definition ?? '', source: spec.source, ...(params === undefined ? {} : { params }), ...rest } as DefinitionRunSpec;
}

async function buildSpec(ctx: RemoteContext, flags: SubmitFlags, command: readonly string[]): Promise<SubmitSpec> {
  if (flags.param !== undefined && flags.param.length > 0 && flags.definition === undefined) throw new UsageError('--param goes with --definition NAME@VERSION');
  const base = flags.spec === undefined ? {} : await readSpecFile(flags.spec);
  const sourceFlags = [flags.source, flags.sourceOnServer].filter((v) => v !== undefined);
  if (sourceFlags.length > 1) throw new UsageError('give one of --source and --source-on-server');
  let source: CodeLocation;
  if (flags.sourceOnServer !== undefined) source = { kind: 'directory', path: flags.sourceOnServer };
  else if (flags.source !== undefined) source = await location(ctx, '--source', flags.source, flags.sourceSha256);
  else if (base['source'] !== undefined) source = base['source'] as CodeLocation;
  else source = await location(ctx, '--source', '.', flags.sourceSha256);
  const env = pairs('--env', flags.env);
  const labels = pairs('--label', flags.label);
  const spec: Record<string, unknown> = {
    ...base,
    source,
    ...(flags.job === undefined ? {} : { jobCode: await location(ctx, '--job', flags.job, flags.jobSha256) }),
    ...(command.length === 0 ? {} : { command }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(env === undefined ? {} : { env: { ...(base['env'] as object | undefined), ...env } }),
    ...(labels === undefined ? {} : { labels: { ...(base['labels'] as object | undefined), ...labels } }),
    ...(flags.secret === undefined || flags.secret.length === 0 ? {} : { secrets: flags.secret }),
    ...(flags.dependsOn === undefined || flags.dependsOn.length === 0 ? {} : { dependsOn: flags.dependsOn.map((jobId) => ({ jobId })) }),
    ...(flags.timeout === undefined ? {} : { timeout: integer('--timeout', flags.timeout) }),
    ...(flags.priority === undefined ? {} : { priority: integer('--priority', flags.priority) }),
    ...(flags.queue === undefined ? {} : { queue: flags.queue }),
    ...(flags.image === undefined ? {} : { image: flags.image }),
  };
  // The server validates the rest and names the offending field.
  return spec as unknown as SubmitSpec;
}

/**
 * `reactorcide submit`: "run my laptop's code on the cluster". Packs and uploads the source,
 * submits, then follows the job's log to its end and exits with the job's exit code. With
 * --detach it prints the job's id and returns at once.
 */
export async function submitCommand(ctx: RemoteContext, flags: SubmitFlags, command: readonly string[]): Promise<number> {
  const spec = flags.definition === undefined ? await buildSpec(ctx, flags, command) : await definitionRun(ctx, flags, command);
  // One key for every retry of this submit: a lost answer cannot make a second job.
  const key = flags.idempotencyKey ?? globalThis.crypto.randomUUID();
  const job = await ctx.client.submitJob(spec, { idempotencyKey: key });
  if (flags.detach === true) {
    ctx.term.out(ctx.json ? jsonText(job) : `${job.id}\n`);
    return exitCodes.ok;
  }
  ctx.term.err(`reactorcide: job ${job.id} ${job.state}; following its log (Ctrl-C stops following, not the job)\n`);
  process.once('SIGINT', () => {
    ctx.term.err(`\nreactorcide: stopped following; job ${job.id} goes on (\`reactorcide cancel ${job.id}\` stops it)\n`);
    process.exit(exitCodes.jobCancelled);
  });
  // With --json the log goes to stderr and stdout holds only the job at its end.
  const logCtx = ctx.json ? { ...ctx, json: false, term: { ...ctx.term, out: ctx.term.err } } : ctx;
  for await (const r of ctx.client.followLogs(job.id)) writeRecord(logCtx, r);
  const end: Job = await ctx.client.waitFor(job.id);
  if (ctx.json) ctx.term.out(jsonText(end));
  else ctx.term.err(describeEnd(ctx, end));
  return exitCodeOfJob(end);
}
