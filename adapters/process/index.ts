export { createProcessExecutor, type ProcessExecutorConfig } from './process-executor.ts';
export { createRunnerSpawner, type RunnerSpawner, type SpawnedRunner } from './runner-spawner.ts';
