import type { Job } from '../../client/index.ts';
import { ClientError } from '../../client/index.ts';
import { exitCodeOfJob, exitCodes, UsageError } from './exit-codes.ts';
import { startProgress } from './progress.ts';
import { paintState } from './render.ts';
import type { RemoteContext } from './run-remote.ts';
import { jsonText } from './terminal.ts';

export interface WaitFlags {
  /** Seconds to wait at most. */
  readonly timeout?: string;
}

/** The line both `wait` and `submit` end with. */
export function describeEnd(ctx: RemoteContext, job: Job): string {
  const code = exitCodeOfJob(job);
  const why = job.errorReason === null ? '' : `: ${job.errorReason}`;
  return `${job.id} ${paintState(ctx.term.color, job.state)}${job.exitCode === null ? '' : ` (exit ${job.exitCode})`}${why}${code === 0 ? '' : ` → exit ${code}`}\n`;
}

/**
 * `reactorcide wait ID`: polls until the job ends, a spinner on a terminal's stderr meanwhile,
 * and exits with the job's exit code (the table in exit-codes.ts).
 */
export async function waitCommand(ctx: RemoteContext, id: string, flags: WaitFlags): Promise<number> {
  const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new UsageError('--timeout must be a number of seconds above 0');
  const progress = startProgress(ctx.term);
  const started = Date.now();
  let job: Job;
  try {
    job = await ctx.client.waitFor(id, {
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
      onPoll: (j) => progress.update(`job ${j.id} ${j.state}`),
    });
  } catch (err) {
    // waitFor's own deadline, told apart from one call's by the time gone.
    if (err instanceof ClientError && err.code === 'timeout' && timeout !== undefined && Date.now() - started >= timeout * 1000) {
      progress.stop();
      ctx.term.err(`reactorcide wait: ${err.message}; it goes on running (\`reactorcide cancel ${id}\` stops it)\n`);
      return exitCodes.waitTimedOut;
    }
    throw err;
  } finally {
    progress.stop();
  }
  if (ctx.json) ctx.term.out(jsonText(job));
  else ctx.term.out(describeEnd(ctx, job));
  return exitCodeOfJob(job);
}
