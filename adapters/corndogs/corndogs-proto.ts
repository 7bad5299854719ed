import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * The Corndogs wire types as @grpc/proto-loader hands them over with the options below: field
 * names as in the .proto, int64 as decimal strings (nanosecond times do not fit a double), bytes
 * as Buffers, absent fields filled with their defaults (an absent message is null).
 * Requests accept numbers for int64 fields too.
 */
export type Int64 = string;

export interface WireTask {
  readonly uuid: string;
  readonly queue: string;
  readonly current_state: string;
  readonly auto_target_state: string;
  readonly submit_time: Int64;
  readonly update_time: Int64;
  readonly timeout: Int64;
  readonly payload: Buffer;
  readonly priority: Int64;
}

export interface TaskResponse {
  readonly task: WireTask | null;
}

type Long = Int64 | number;

export interface SubmitTaskRequest {
  queue?: string;
  current_state?: string;
  auto_target_state?: string;
  timeout?: Long;
  payload?: Buffer;
  priority?: Long;
}
export interface GetTaskStateByIDRequest {
  uuid: string;
  queue?: string;
}
export interface GetNextTaskRequest {
  queue?: string;
  current_state?: string;
  override_timeout?: Long;
  override_current_state?: string;
  override_auto_target_state?: string;
}
export interface UpdateTaskRequest {
  uuid: string;
  queue?: string;
  current_state?: string;
  auto_target_state?: string;
  timeout?: Long;
  new_state?: string;
  payload?: Buffer;
  priority?: Long;
}
export interface TaskRefRequest {
  uuid: string;
  queue?: string;
  current_state?: string;
}
export interface CleanUpTimedOutRequest {
  at_time?: Long;
  queue?: string;
}
export interface QueueAndStateCounts {
  readonly queue: string;
  readonly count: Int64;
  readonly state_counts: Readonly<Record<string, Int64>>;
}

/** Request and response of each RPC the adapter and the fake server use. */
export interface CorndogsRpcs {
  SubmitTask: [SubmitTaskRequest, TaskResponse];
  GetTaskStateByID: [GetTaskStateByIDRequest, TaskResponse];
  GetNextTask: [GetNextTaskRequest, TaskResponse];
  UpdateTask: [UpdateTaskRequest, TaskResponse];
  CompleteTask: [TaskRefRequest, TaskResponse];
  CancelTask: [TaskRefRequest, TaskResponse];
  CleanUpTimedOut: [CleanUpTimedOutRequest, { timed_out: Long }];
  GetQueues: [Record<string, never>, { queues: string[]; total_task_count: Long }];
  GetQueueTaskCounts: [Record<string, never>, { queue_counts: Record<string, Long>; total_task_count: Long }];
  GetTaskStateCounts: [{ queue?: string }, { queue: string; count: Long; state_counts: Record<string, Long> }];
  GetQueueAndStateCounts: [Record<string, never>, { queue_and_state_counts: Record<string, QueueAndStateCounts> }];
}
export type CorndogsRpc = keyof CorndogsRpcs;

/**
 * Where the .proto files are: next to this file in the sources, and found by walking up to the
 * package root from dist/adapters/corndogs/ (the build does not copy them; the package's
 * `files` must include adapters/corndogs/*.proto for an installed copy to find them).
 */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'adapters', 'corndogs');
    if (existsSync(join(dir, 'corndogs.proto'))) return dir;
    if (existsSync(join(candidate, 'corndogs.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('corndogs.proto not found above ' + fileURLToPath(import.meta.url));
}

export interface CorndogsDefinitions {
  readonly corndogs: grpc.ServiceDefinition;
  readonly health: grpc.ServiceDefinition;
}

/** Loads both services' definitions (the caller keeps them: loading parses the files). */
export function loadCorndogsDefinitions(): CorndogsDefinitions {
  const dir = protoDir();
  const pkg = protoLoader.loadSync([join(dir, 'corndogs.proto'), join(dir, 'health.proto')], {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return {
    corndogs: pkg['corndogs.v1alpha1.CorndogsService'] as grpc.ServiceDefinition,
    health: pkg['grpc.health.v1.Health'] as grpc.ServiceDefinition,
  };
}
