import type { Command } from 'commander';
import type { RemoteFlags } from '../remote/run-remote.ts';
import type { WaitFlags } from '../remote/wait-command.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide wait ID`: until the job ends; exits with its exit code. */
export function defineWait(program: Command): void {
  withConnection(program.command('wait').summary("wait for a job to end and exit with its exit code").argument('<id>', 'the job id'), {
    json: 'print the ended job as the API returns it',
  })
    .option('--timeout <seconds>', 'give up after this long (exit 75; the job goes on)')
    .addHelpText('after', exitCodeHelp + '\n`wait --timeout` running out exits 75.')
    .action(async (id: string, flags: RemoteFlags & WaitFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { waitCommand } = await import('../remote/wait-command.ts');
      await runRemote('wait', flags, (ctx) => waitCommand(ctx, id, flags));
    });
}
