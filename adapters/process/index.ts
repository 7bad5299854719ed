export { createProcessExecutor, type ProcessExecutorConfig } from './process-executor.ts';
