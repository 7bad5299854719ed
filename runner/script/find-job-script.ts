/**
 * Which command the run phase starts: an explicit command when given, else `reactorcide_job`
 * in the job code — the first found of .ts, .mjs, .js, .sh, .py, or an executable file of
 * that bare name.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import type { ExplicitCommand } from '../config.ts';

export interface JobCommand {
  readonly argv: readonly string[];
  /** How the command is shown in the log. */
  readonly display: string;
}

export const jobScriptExtensions = ['.ts', '.mjs', '.js', '.sh', '.py'] as const;

export async function findJobCommand(jobDir: string, explicit: ExplicitCommand | undefined): Promise<JobCommand> {
  if (explicit) {
    return 'argv' in explicit
      ? { argv: explicit.argv, display: explicit.argv.join(' ') }
      : { argv: ['/bin/sh', '-c', explicit.shell], display: explicit.shell };
  }
  for (const ext of jobScriptExtensions) {
    const file = join(jobDir, `reactorcide_job${ext}`);
    if (isFile(file)) return { argv: await argvFor(file, ext), display: `reactorcide_job${ext}` };
  }
  const bare = join(jobDir, 'reactorcide_job');
  if (isFile(bare) && isExecutable(bare)) return { argv: [bare], display: 'reactorcide_job' };
  throw new AppError(
    'not_found',
    `no job script: found no reactorcide_job{${jobScriptExtensions.join(',')}} or executable reactorcide_job in ${jobDir}, and no command was given`,
  );
}

async function argvFor(file: string, ext: (typeof jobScriptExtensions)[number]): Promise<string[]> {
  switch (ext) {
    case '.ts':
    case '.mjs':
    case '.js':
      // Loaded only for a JavaScript job: it needs node:module, which a shell job never does.
      return (await import('./node-launch.ts')).nodeJobArgv(file);
    case '.sh':
      // An executable script keeps its own shebang; otherwise bash, which most CI scripts assume.
      if (isExecutable(file)) return [file];
      return [isFile('/bin/bash') ? '/bin/bash' : '/bin/sh', file];
    case '.py':
      return isExecutable(file) ? [file] : ['python3', file];
  }
}

// Synchronous on purpose (like the whole lookup): a handful of metadata calls on the start-up path of every job, where
// a trip through libuv's thread pool for each costs more than the call itself.
function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isExecutable(path: string): boolean {
  // With no execute bit at all access() refuses too (root included), and its refusal is thrown:
  // the usual job script, written without one, is told apart without an exception.
  const mode = statSync(path, { throwIfNoEntry: false })?.mode ?? 0;
  if ((mode & 0o111) === 0) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
