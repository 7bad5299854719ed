/**
 * Builds the dispatcher's adapters from its config — the table queue in the job database or
 * Corndogs, the local process executor or Kubernetes — and starts its loops.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../adapters/postgres/database.ts';
import { createPgAuditLog } from '../../adapters/postgres/audit-log.ts';
import { createPgDefinitionStore } from '../../adapters/postgres/definition-store.ts';
import { createPgSecretStore } from '../../adapters/postgres/secret-store.ts';
import type { SecretCipher } from '../../core/secret-cipher.ts';
import { createPgDispatchStore } from '../../adapters/postgres/dispatch-store.ts';
import { createPgJobStore } from '../../adapters/postgres/job-store.ts';
import { createPgLogArchiveStore } from '../../adapters/postgres/log-archive-store.ts';
import { createPgLogStore } from '../../adapters/postgres/log-store.ts';
import { createPgTaskQueue, fencedCompleteCte, startPgListener, type WakeupHub } from '../../adapters/pgqueue/index.ts';
import { outboxChannel } from '../../adapters/postgres/outbox-notify.ts';
import { createProcessExecutor, createRunnerSpawner, type RunnerSpawner } from '../../adapters/process/index.ts';
import type { Executor } from '../../core/ports/executor.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import type { TaskQueue } from '../../core/ports/task-queue.ts';
import type { Logger } from '../deps.ts';
import { createWakeSignal, startDispatcher, type Dispatcher, type WakeSignal } from '../dispatch/index.ts';
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
    /** The API this process serves (`serve`): jobs get it when REACTORCIDE_JOB_API_URL is not set. */
    readonly servedUrl?: string;
    /** Opens stored secrets for runs (`openSecretCipher`); absent or null, jobs that name secrets end `errored`. */
    readonly secretCipher?: SecretCipher | null;
    /** Notified by the API in this process (`serve`) on every submit and cancel: the relay wakes at once. */
    readonly outboxWake?: WakeSignal;
    /** The Postgres queue's wake-ups, shared with the API in this process when submits enqueue inline (inline-queue.ts). */
    readonly taskHub?: WakeupHub;
  },
): Promise<StartedDispatcher> {
  const queue = await openQueue(config, db, options);
  const outboxWake = options.outboxWake ?? createWakeSignal();
  const outboxListener = options.embedded
    ? undefined
    : startPgListener({
        db,
        channel: outboxChannel,
        onNotify: () => outboxWake.notify(),
        // Rows written while LISTEN was down are relayed now, not at the next poll.
        onListening: () => outboxWake.notify(),
        onError: (err) => options.logger.warn({ err }, 'outbox LISTEN connection lost; reconnecting'),
      });
  await outboxListener?.listening(AbortSignal.timeout(5_000)).catch(() => undefined);
  // Local runners are started from a small helper process: a fork of this one (~500 MB with the
  // embedded database) would block the event loop for tens of milliseconds per job.
  const spawner = config.executor === 'process' ? createRunnerSpawner() : undefined;
  const executor = await openExecutor(config, { ...options, spawner });
  // Named prepared statements: parsed and planned once per connection, on Postgres and on PGlite
  // (whose in-process connections each keep their own names: adapters/pglite/statement-names.ts).
  const prepared = { prepared: true };
  const jobs = createPgJobStore(db, prepared);
  const jobApiUrl = config.jobApiUrl ?? (options.servedUrl === undefined ? null : reachableUrl(options.servedUrl));
  if (jobApiUrl === null) options.logger.info({}, 'no REACTORCIDE_JOB_API_URL: jobs get no API URL or job token, so they cannot submit jobs');
  const archive = options.archive
    ? { deps: { jobs, archives: createPgLogArchiveStore(db), objects: options.archive.objects }, intervalMs: 5_000, retentionDays: options.archive.retentionDays }
    : undefined;
  const audit = createPgAuditLog(db);
  const dispatcher = startDispatcher(
    {
      jobs,
      logs: createPgLogStore(db, prepared),
      // The table queue is in this database: a run's end and its task's completion are one write.
      dispatch: createPgDispatchStore(db, { ...prepared, ...(config.corndogsAddress === null ? { fencedComplete: fencedCompleteCte } : {}) }),
      queue,
      executor,
      logger: options.logger,
      ...(jobApiUrl === null ? {} : { jobApi: { url: jobApiUrl } }),
      ...(options.secretCipher ? { secrets: { store: createPgSecretStore(db, options.secretCipher), audit } } : {}),
      approvals: { definitions: createPgDefinitionStore(db), audit },
    },
    {
      queues: config.queues,
      maxRuns: config.maxRuns,
      leaseSeconds: config.leaseSeconds,
      // Woken in-process (embedded: this process is the only writer) or by NOTIFY (a shared
      // database), the relay polls only as a safety net; while LISTEN is down, it polls often.
      relayIntervalMs: () => (options.embedded || outboxListener?.connected === true ? 1_000 : 25),
      outboxWake,
      cancelPollMs: 500,
      ...(archive ? { archive } : {}),
    },
  );
  return {
    dispatcher,
    async stop() {
      await dispatcher.stop();
      await outboxListener?.close();
      await queue.close();
      spawner?.close();
    },
  };
}

async function openQueue(
  config: DispatcherConfig,
  db: Db,
  options: { readonly embedded: boolean; readonly logger: Logger; readonly taskHub?: WakeupHub },
): Promise<TaskQueue> {
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
    prepared: true,
    ...(options.taskHub ? { hub: options.taskHub } : {}),
    onListenError: (err) => options.logger.warn({ err }, 'queue LISTEN connection lost; reconnecting'),
  });
  await queue.start();
  return queue;
}

async function openExecutor(
  config: DispatcherConfig,
  options: { readonly logger: Logger; readonly env: Readonly<Record<string, string | undefined>>; readonly spawner: RunnerSpawner | undefined },
): Promise<Executor> {
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
    ...(options.spawner ? { spawner: options.spawner } : {}),
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

/** A server listening on every address is reached on loopback by the jobs it starts itself. */
function reachableUrl(url: string): string {
  return url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
}
