/**
 * The full `reactorcide` command line on commander. Each subcommand is declared in its own file
 * under commands/; a declaration only describes flags and imports its implementation when
 * invoked.
 */
import { Command } from 'commander';
import { defineRun } from './commands/run.ts';
import { defineServe } from './commands/serve.ts';
import { defineMigrate } from './commands/migrate.ts';
import { defineToken } from './commands/token.ts';
import { defineDispatcher } from './commands/dispatcher.ts';
import { defineSubmit } from './commands/submit.ts';
import { defineStatus } from './commands/status.ts';
import { defineLogs } from './commands/logs.ts';
import { defineWait } from './commands/wait.ts';
import { defineCancel } from './commands/cancel.ts';
import { defineList } from './commands/list.ts';
import { defineDefinition } from './commands/definition.ts';
import { defineSecret } from './commands/secret.ts';
import { defineAudit } from './commands/audit.ts';

export async function runProgram(argv: readonly string[]): Promise<void> {
  const program = new Command('reactorcide')
    .description('Reactorcide: run CI jobs on a laptop or in Kubernetes, the same way.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((err) => {
      // commander exits 1 for usage errors; 2 is the convention for a bad command line.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

  // One line per subcommand.
  defineRun(program);
  defineServe(program);
  defineMigrate(program);
  defineToken(program);
  defineDispatcher(program);
  defineSubmit(program);
  defineStatus(program);
  defineLogs(program);
  defineWait(program);
  defineCancel(program);
  defineList(program);
  defineDefinition(program);
  defineSecret(program);
  defineAudit(program);

  usageAfterErrors(program, 'reactorcide');
  await program.parseAsync([...argv]);
}

/** A usage error shows the command's own usage line, and where its full help is. */
function usageAfterErrors(cmd: Command, path: string): void {
  for (const sub of cmd.commands) {
    const name = `${path} ${sub.name()}`;
    sub.showHelpAfterError(`usage: ${name} ${sub.usage()}\n(run \`${name} --help\` for more)`);
    usageAfterErrors(sub, name);
  }
}
