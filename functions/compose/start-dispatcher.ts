/**
 * Builds the dispatcher's adapters from its config — the table queue in the job database or
 * Corndogs, the local process executor or Kubernetes — and starts its loops.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../adapters/postgres/database.ts';
import { createPgDispatchStore } from '../../adapters/postgres/dispatch-store.ts';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogArchiveStore } from '../../adapters/postgres/log-archive-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createPgTaskQueue } from '../../adapters/pgqueue/index.ts';
import { createProcessExecutor } from '../../adapters/process/index.ts';
import type { Executor } from '../../core/ports/executor.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import type { TaskQueue } from '../../core/ports/task-queue.ts';
import type { Logger } from '../deps.ts';
import { startDispatcher, type Dispatcher } from '../dispatch/index.ts';
import type { DispatcherConfig } from './dispatcher-config.ts';

export interface StartedDispatcher {
  readonly dispatcher: Dispatcher;
  stop(): Promise<void>;
}

export async function startConfiguredDispatcher(
  config: DispatcherConfig,
  db: Db,
  options: {
    readonly embedded: boolean;
    readonly logger: Logger;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** Where ended jobs' logs are archived; without it logs stay in the database. */
    readonly archive?: { readonly objects: ObjectStore; readonly retentionDays: number };
  },
): Promise<StartedDispatcher> {
  const queue = await openQueue(config, db, options);
  const executor = await openExecutor(config, options);
  const jobs = createPgJobStore(db, { prepared: !options.embedded });
  const archive = options.archive
    ? { deps: { jobs, archives: createPgLogArchiveStore(db), objects: options.archive.objects }, intervalMs: 5_000, retentionDays: options.archive.retentionDays }
    : undefined;
  const dispatcher = startDispatcher(
    {
      jobs,
      logs: createPgLogStore(db),
      dispatch: createPgDispatchStore(db),
      queue,
      executor,
      logger: options.logger,
    },
    {
      queues: config.queues,
      maxRuns: config.maxRuns,
      leaseSeconds: config.leaseSeconds,
      relayIntervalMs: 25,
      cancelPollMs: 500,
      ...(archive ? { archive } : {}),
    },
  );
  return {
    dispatcher,
    async stop() {
      await dispatcher.stop();
      await queue.close();
    },
  };
}

async function openQueue(config: DispatcherConfig, db: Db, options: { readonly embedded: boolean; readonly logger: Logger }): Promise<TaskQueue> {
  if (config.corndogsAddress !== null) {
    const { createCorndogsTaskQueue } = await import('../../adapters/corndogs/index.ts');
    return createCorndogsTaskQueue({
      address: config.corndogsAddress,
      cleanUp: { queues: config.queues, intervalMs: (config.leaseSeconds * 1000) / 2, onError: (err) => options.logger.warn({ err }, 'corndogs clean-up failed') },
    });
  }
  // Embedded PGlite is one session where NOTIFY does not cross connections: wake in-process.
  const queue = createPgTaskQueue({
    db,
    wake: options.embedded ? 'in-process' : 'listen',
    onListenError: (err) => options.logger.warn({ err }, 'queue LISTEN connection lost; reconnecting'),
  });
  await queue.start();
  return queue;
}

async function openExecutor(config: DispatcherConfig, options: { readonly logger: Logger; readonly env: Readonly<Record<string, string | undefined>> }): Promise<Executor> {
  if (config.executor === 'kubernetes') {
    const { parseKubernetesConfig, createKubernetesExecutor, loadKubeConfig } = await import('../../adapters/kubernetes/index.ts');
    const k8s = parseKubernetesConfig(options.env);
    return createKubernetesExecutor({
      config: k8s,
      kubeConfig: loadKubeConfig(k8s),
      runnerSettings: config.runnerSettings,
      onError: (err) => options.logger.warn({ err }, 'kubernetes executor'),
    });
  }
  return createProcessExecutor({
    runnerCommand: runnerCommand(),
    workRoot: config.workRoot,
    stopGraceMs: 45_000,
    runnerSettings: config.runnerSettings,
    inheritEnv: options.env,
  });
}

/**
 * The runner as this installation has it: the package's own bin, or — when this code runs from
 * its TypeScript source (the tests) — the CLI source through tsx.
 */
function runnerCommand(): string[] {
  const require = createRequire(import.meta.url);
  if (import.meta.url.endsWith('.ts')) {
    const root = new URL('../../', import.meta.url).pathname;
    return [process.execPath, '--import', pathToFileURL(require.resolve('tsx')).href, join(root, 'cli', 'main.ts'), 'run'];
  }
  const root = require.resolve('reactorcide/package.json').replace(/package\.json$/, '');
  return [process.execPath, join(root, 'bin', 'reactorcide.js'), 'run'];
}
