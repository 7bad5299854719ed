import type { Command } from 'commander';
import type { RemoteFlags } from '../remote/run-remote.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide status ID`: a job's state, exit code, times and phases. */
export function defineStatus(program: Command): void {
  withConnection(program.command('status').summary("show a job's state, exit code, times and phases").argument('<id>', 'the job id'), {
    json: 'print the job as the API returns it',
  })
    .addHelpText('after', exitCodeHelp)
    .action(async (id: string, flags: RemoteFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { statusCommand } = await import('../remote/job-commands.ts');
      await runRemote('status', flags, (ctx) => statusCommand(ctx, id));
    });
}
