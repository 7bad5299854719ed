import type { Command } from 'commander';
import type { ListFlags } from '../remote/job-commands.ts';
import type { RemoteFlags } from '../remote/run-remote.ts';
import { collect, exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide list`: jobs, newest first, filtered. */
export function defineList(program: Command): void {
  withConnection(program.command('list').summary('list jobs, newest first'), { json: 'print the page as the API returns it ({jobs, nextCursor})' })
    .option('--state <state>', 'only jobs in this state (repeat, or comma-separate)', collect)
    .option('--label <key=value>', 'only jobs with this label (repeat: all must match)', collect)
    .option('--name <name>', 'only jobs of this name')
    .option('--limit <n>', 'jobs per page, 1–200 (default 50)')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--all', 'every page')
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: RemoteFlags & ListFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { listCommand } = await import('../remote/job-commands.ts');
      await runRemote('list', flags, (ctx) => listCommand(ctx, flags));
    });
}
