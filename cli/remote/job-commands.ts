/**
 * `status`, `cancel`, `list`: one API call each, printed for a person (colour on a terminal)
 * or, with --json, exactly as the API answered.
 */
import type { ListJobsFilter } from '../../client/index.ts';
import { jobStates } from '../../core/job-state.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import { parseChoices, parseLimit } from './list-flags.ts';
import { paintState, renderJob, renderJobTable } from './render.ts';
import type { RemoteContext } from './run-remote.ts';
import { jsonText } from './terminal.ts';

const printJson = (ctx: RemoteContext, value: unknown): void => ctx.term.out(jsonText(value));

export async function statusCommand(ctx: RemoteContext, id: string): Promise<number> {
  const job = await ctx.client.getJob(id);
  if (ctx.json) printJson(ctx, job);
  else ctx.term.out(renderJob(job, ctx.term.color));
  return exitCodes.ok;
}

export async function cancelCommand(ctx: RemoteContext, id: string): Promise<number> {
  const job = await ctx.client.cancelJob(id);
  if (ctx.json) printJson(ctx, job);
  else if (job.state === 'cancelled') ctx.term.out(`${job.id} ${paintState(ctx.term.color, job.state)}\n`);
  else ctx.term.out(`${job.id} ${paintState(ctx.term.color, job.state)}: asked to stop; \`reactorcide wait ${job.id}\` waits for its end\n`);
  return exitCodes.ok;
}

export interface ListFlags {
  readonly state?: readonly string[];
  readonly label?: readonly string[];
  readonly name?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly all?: boolean;
}

export async function listCommand(ctx: RemoteContext, flags: ListFlags): Promise<number> {
  const states = parseChoices(flags.state, jobStates, 'state');
  const limit = parseLimit(flags.limit, 200);
  for (const l of flags.label ?? []) if (!l.includes('=')) throw new UsageError(`--label ${l}: expected key=value`);
  const filter: ListJobsFilter = {
    ...(states.length > 0 ? { state: states } : {}),
    ...(flags.label !== undefined && flags.label.length > 0 ? { label: flags.label } : {}),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(limit === undefined ? {} : { limit }),
  };
  if (flags.all === true) {
    const jobs = [];
    for await (const j of ctx.client.listAllJobs(filter)) jobs.push(j);
    if (ctx.json) printJson(ctx, { jobs, nextCursor: null });
    else ctx.term.out(renderJobTable(jobs, ctx.term.color));
    return exitCodes.ok;
  }
  const page = await ctx.client.listJobs({ ...filter, ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }) });
  if (ctx.json) {
    printJson(ctx, page);
  } else {
    ctx.term.out(renderJobTable(page.jobs, ctx.term.color));
    if (page.nextCursor !== null) ctx.term.err(`more: --cursor ${page.nextCursor} (or --all)\n`);
  }
  return exitCodes.ok;
}
