import type { Command } from 'commander';
import type * as DefinitionCommands from '../remote/definition-command.ts';
import type { RemoteContext, RemoteFlags } from '../remote/run-remote.ts';
import { exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide definition create|list|show|approve|revoke`: approved job code for contributors' runs. */
export function defineDefinition(program: Command): void {
  const def = program
    .command('definition')
    .summary('job definitions: approved job code that contributors may run')
    .description(
      'A definition pins job code by sha256, with its entrypoint, the secrets it may receive, the\n' +
        'params a submitter may set and its caps. Maintainers create versions and approve them;\n' +
        'contributors run an approved one with `reactorcide submit --definition NAME@VERSION`.',
    );
  const run = async (command: string, flags: RemoteFlags, body: (m: typeof DefinitionCommands, ctx: RemoteContext) => Promise<number>) => {
    const { runRemote } = await import('../remote/run-remote.ts');
    const m = await import('../remote/definition-command.ts');
    await runRemote(`definition ${command}`, flags, (ctx) => body(m, ctx));
  };
  withConnection(def.command('create').summary('create the next version of a definition from a JSON file (maintainer)'), { json: 'print the version as JSON' })
    .requiredOption('--file <file>', 'the definition as JSON ({name, jobCode: {url, sha256}, entrypoint, secrets, secretsByRole, params, caps, roles}); - reads stdin')
    .option('--name <name>', 'the name, if not in the file')
    .option('--job-code <dir>', 'pack and upload this directory as the job code, pinned by its digest (fills "jobCode")')
    .addHelpText('after', exitCodeHelp)
    .action(async (flags: RemoteFlags & { file: string; name?: string; jobCode?: string }) => run('create', flags, (m, ctx) => m.definitionCreate(ctx, flags)));
  withConnection(def.command('list').summary('list definition versions, newest first'), { json: 'print them as JSON' })
    .option('--name <name>', 'only this definition')
    .action(async (flags: RemoteFlags & { name?: string }) => run('list', flags, (m, ctx) => m.definitionList(ctx, flags)));
  withConnection(def.command('show').summary('show one version').argument('<name@version>'), { json: 'print it as JSON' })
    .action(async (ref: string, flags: RemoteFlags) => run('show', flags, (m, ctx) => m.definitionShow(ctx, ref)));
  for (const verb of ['approve', 'revoke'] as const) {
    withConnection(
      def
        .command(verb)
        .summary(verb === 'approve' ? 'approve a version: contributors may run it (maintainer)' : 'revoke a version: contributors may no longer run it (maintainer)')
        .argument('<name@version>'),
      { json: 'print the version as JSON' },
    ).action(async (ref: string, flags: RemoteFlags) => run(verb, flags, (m, ctx) => m.definitionApproval(ctx, verb, ref)));
  }
}
