export { createCorndogsTaskQueue, type CorndogsTaskQueue, type CorndogsTaskQueueOptions, type CorndogsStates } from './corndogs-task-queue.ts';
export { createCorndogsClient, translateGrpcError, type CorndogsClient } from './corndogs-client.ts';
export { loadCorndogsDefinitions, protoDir } from './corndogs-proto.ts';
