import type { OffsetLogRecord } from '../../client/index.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import type { RemoteContext } from './run-remote.ts';

export interface LogsFlags {
  readonly follow?: boolean;
  readonly offset?: string;
}

/** Writes a record: its text, or with --json the record as one NDJSON line. */
export function writeRecord(ctx: RemoteContext, r: OffsetLogRecord): void {
  ctx.term.out(ctx.json ? JSON.stringify(r) + '\n' : r.text);
}

/**
 * `reactorcide logs ID`: the masked log so far, or with -f everything until the job ends (a
 * dropped connection resumes where it stopped; see client/follow-logs.ts).
 */
export async function logsCommand(ctx: RemoteContext, id: string, flags: LogsFlags): Promise<number> {
  const offset = flags.offset === undefined ? 0 : Number(flags.offset);
  if (!(Number.isSafeInteger(offset) && offset >= 0)) throw new UsageError('--offset must be a whole number, 0 or more');
  if (flags.follow === true) {
    for await (const r of ctx.client.followLogs(id, { offset })) writeRecord(ctx, r);
  } else if (ctx.json) {
    for (const r of (await ctx.client.readLogRecords(id, { offset })).records) writeRecord(ctx, r);
  } else {
    ctx.term.out((await ctx.client.readLogs(id, { offset })).text);
  }
  return exitCodes.ok;
}
