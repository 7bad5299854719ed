import type { Command } from 'commander';
import type { RemoteFlags } from '../remote/run-remote.ts';
import type { SetSecretFlags } from '../remote/secret-command.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide secret set|list|delete|rotate` (admin). */
export function defineSecret(program: Command): void {
  const secret = program
    .command('secret')
    .summary('manage stored secrets (admin); values are never shown again')
    .description('Secrets are stored encrypted and reach a job only as masked env vars of the same name.');
  const load = async () => ({ ...(await import('../remote/run-remote.ts')), ...(await import('../remote/secret-command.ts')) });
  withConnection(
    secret
      .command('set')
      .summary('store a secret, its value read from stdin or --from-file (never an argument)')
      .argument('<name>', 'an env var name, e.g. NPM_TOKEN'),
    { json: 'print the stored metadata as JSON' },
  )
    .option('--from-file <file>', 'read the value from this file instead of stdin')
    .option('--keep-newline', 'keep a final newline (by default one is dropped: `echo` and editors add it)')
    .addHelpText('after', '\nExample: reactorcide secret set NPM_TOKEN < ~/.npm-token\n' + exitCodeHelp)
    .action(async (name: string, flags: RemoteFlags & SetSecretFlags) => {
      const m = await load();
      await m.runRemote('secret set', flags, (ctx) => m.secretSet(ctx, name, flags));
    });
  withConnection(secret.command('list').summary('list secrets: names and metadata only'), { json: 'print them as JSON' }).action(async (flags: RemoteFlags) => {
    const m = await load();
    await m.runRemote('secret list', flags, (ctx) => m.secretList(ctx));
  });
  withConnection(secret.command('delete').summary('delete a secret').argument('<name>')).action(async (name: string, flags: RemoteFlags) => {
    const m = await load();
    await m.runRemote('secret delete', flags, (ctx) => m.secretDelete(ctx, name));
  });
  withConnection(secret.command('rotate').summary('re-seal every secret under the current master key'), { json: 'print the result as JSON' }).action(
    async (flags: RemoteFlags) => {
      const m = await load();
      await m.runRemote('secret rotate', flags, (ctx) => m.secretRotate(ctx));
    },
  );
}
