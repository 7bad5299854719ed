import type { Command } from 'commander';
import type { AuditFlags } from '../remote/audit-command.ts';
import type { RemoteFlags } from '../remote/run-remote.ts';
import { collect, exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide audit` (admin): the audit log, newest first. */
export function defineAudit(program: Command): void {
  withConnection(program.command('audit').summary('show the audit log, newest first (admin)'), { json: 'print the page as the API returns it ({entries, nextCursor})' })
    .option('--action <action>', 'only this action, e.g. job.submit, secret.put (repeat, or comma-separate)', collect)
    .option('--target-kind <kind>', 'only entries about this kind: job, secret, definition, token')
    .option('--target-id <id>', 'only entries about this one')
    .option('--limit <n>', 'entries per page, 1–500 (default 100)')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: RemoteFlags & AuditFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { auditCommand } = await import('../remote/audit-command.ts');
      await runRemote('audit', flags, (ctx) => auditCommand(ctx, flags));
    });
}
