import type { Command } from 'commander';
import type { RemoteFlags } from '../remote/run-remote.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide cancel ID`: a queued job ends at once; a running one is asked to stop. */
export function defineCancel(program: Command): void {
  withConnection(program.command('cancel').summary('cancel a job (a running one gets SIGTERM, then its cleanup)').argument('<id>', 'the job id'), {
    json: 'print the job after the request',
  })
    .addHelpText('after', exitCodeHelp)
    .action(async (id: string, flags: RemoteFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { cancelCommand } = await import('../remote/job-commands.ts');
      await runRemote('cancel', flags, (ctx) => cancelCommand(ctx, id));
    });
}
