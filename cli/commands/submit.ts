import type { Command } from 'commander';
import type { RemoteFlags } from '../remote/run-remote.ts';
import type { SubmitFlags } from '../remote/submit-command.ts';
import { collect, exitCodeHelp, withConnection } from './remote-options.ts';

/** `reactorcide submit`: run this directory's code on the server, following its log. */
export function defineSubmit(program: Command): void {
  withConnection(
    program
      .command('submit')
      .summary("run a job on the server (by default: this directory's code), following its log")
      .description(
        'Submit a job. Without --source the current directory is packed (as git sees it: .gitignore\n' +
          'rules are honoured, .git/ is left out), uploaded, and used as the source. Then the job\'s log\n' +
          "is followed until it ends, and the command exits with the job's exit code; --detach prints\n" +
          'the job id instead and returns. A command after `--` replaces the job script.',
      )
      .argument('[command...]', 'a command to run instead of the job script (after --)'),
    { json: 'print the job as JSON (at its end; with --detach, at once); the log goes to stderr' },
  )
    .option('--source <dir|url>', 'the code to act on: a local directory (uploaded) or an http(s)://, s3:// or file:// tarball URL')
    .option('--source-sha256 <hex>', "the tarball URL's expected sha256")
    .option('--source-on-server <path>', 'a directory the server\'s runner can read itself (for a server on this machine)')
    .option('--job <dir|url>', 'the code that does the job, if not the source: a directory (uploaded) or a tarball URL')
    .option('--job-sha256 <hex>', "the job code URL's expected sha256")
    .option('--definition <name@version>', 'run an approved job definition: its job code, entrypoint and secrets; give only --source and --param')
    .option('--param <NAME=VALUE>', 'a parameter of the definition (repeatable)', collect)
    .option('--spec <file>', 'a JSON job spec to start from; flags given override its fields')
    .option('--name <name>', "the job's name")
    .option('--env <NAME=VALUE>', 'an environment variable for the job (repeatable)', collect)
    .option('--secret <NAME>', 'a stored secret to hand the job, masked (repeatable)', collect)
    .option('--label <key=value>', 'a label (repeatable)', collect)
    .option('--depends-on <id>', 'wait for this job to succeed first (repeatable)', collect)
    .option('--timeout <seconds>', 'how long the run may take (default 3600)')
    .option('--queue <name>', 'the queue (default "default")')
    .option('--priority <n>', 'higher runs first within a queue')
    .option('--image <image>', 'the container image (Kubernetes executor)')
    .option('--idempotency-key <key>', 'a retry with the same key returns the first job instead of a new one')
    .option('-d, --detach', 'print the job id and return without following')
    .addHelpText('after', exitCodeHelp)
    .action(async (command: string[], flags: RemoteFlags & SubmitFlags) => {
      const { runRemote } = await import('../remote/run-remote.ts');
      const { submitCommand } = await import('../remote/submit-command.ts');
      await runRemote('submit', flags, (ctx) => submitCommand(ctx, flags, command));
    });
}
