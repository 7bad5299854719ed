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

  await program.parseAsync([...argv]);
}
