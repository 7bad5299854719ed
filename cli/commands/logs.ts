import type { Command } from 'commander';
import type { LogsFlags } from '../remote/logs-command.ts';
import type { RemoteFlags } from '../remote/run-remote.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide logs ID [-f]`: the masked log; with -f until the job ends. */
export function defineLogs(program: Command): void {
  withConnection(program.command('logs').summary("print a job's log (-f: follow it until the job ends)").argument('<id>', 'the job id'), {
    json: 'print the log records (stream, phase, time, offset) as NDJSON',
  })
    .option('-f, --follow', 'keep printing as the job writes, until it ends')
    .option('--offset <n>', 'start at this record (a record\'s offset + 1 resumes after it)')
    .addHelpText('after', exitCodeHelp)
    .action(async (id: string, flags: RemoteFlags & LogsFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { logsCommand } = await import('../remote/logs-command.ts');
      await runRemote('logs', flags, (ctx) => logsCommand(ctx, id, flags));
    });
}
