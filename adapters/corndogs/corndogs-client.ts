import * as grpc from '@grpc/grpc-js';
import { AppError, unavailable } from '../../core/errors.ts';
import type { CorndogsDefinitions, CorndogsRpc, CorndogsRpcs } from './corndogs-proto.ts';

export interface CorndogsClientOptions {
  /** `host:port` of the Corndogs gRPC server (insecure, as Corndogs serves it). */
  readonly address: string;
  /** Deadline of every call. */
  readonly callTimeoutMs: number;
}

export interface CorndogsClient {
  call<M extends CorndogsRpc>(method: M, request: CorndogsRpcs[M][0]): Promise<CorndogsRpcs[M][1]>;
  /** grpc.health.v1 Check: true when the server reports SERVING. */
  healthy(): Promise<boolean>;
  close(): void;
}

type Unary = (
  request: unknown,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: unknown) => void,
) => void;

/**
 * Translates a gRPC failure into the closed error set at this boundary, so nothing above the
 * adapter sees a vendor error.
 */
export function translateGrpcError(thrown: unknown, method: string): AppError {
  if (thrown instanceof AppError) return thrown;
  const code = (thrown as { code?: unknown } | null)?.code;
  const details = (thrown as { details?: unknown } | null)?.details;
  const what = `corndogs ${method}: ${typeof details === 'string' && details !== '' ? details : String(thrown)}`;
  switch (code) {
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return unavailable(what, thrown);
    case grpc.status.NOT_FOUND:
      return new AppError('not_found', what, undefined, { cause: thrown });
    case grpc.status.INVALID_ARGUMENT:
      return new AppError('invalid_input', what, undefined, { cause: thrown });
    default:
      return new AppError('internal', what, undefined, { cause: thrown });
  }
}

/** A promise-returning Corndogs client with a deadline on every call. */
export function createCorndogsClient(defs: CorndogsDefinitions, options: CorndogsClientOptions): CorndogsClient {
  const credentials = grpc.credentials.createInsecure();
  const Corndogs = grpc.makeGenericClientConstructor(defs.corndogs, 'CorndogsService');
  const Health = grpc.makeGenericClientConstructor(defs.health, 'Health');
  const client = new Corndogs(options.address, credentials) as unknown as Record<string, Unary> & grpc.Client;
  // The health client shares the Corndogs client's channel rather than opening another.
  const health = new Health(options.address, credentials, {
    channelOverride: client.getChannel(),
  }) as unknown as Record<string, Unary> & grpc.Client;

  const invoke = (target: Record<string, Unary>, method: string, request: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const fn = target[method];
      if (fn === undefined) {
        reject(new Error(`no such RPC: ${method}`));
        return;
      }
      fn.call(target, request, { deadline: Date.now() + options.callTimeoutMs }, (err, response) => {
        if (err !== null) reject(translateGrpcError(err, method));
        else resolve(response);
      });
    });

  return {
    call: (method, request) => invoke(client, method, request) as Promise<never>,
    async healthy() {
      const res = (await invoke(health, 'Check', { service: '' })) as { status?: string };
      return res.status === 'SERVING';
    },
    close() {
      health.close();
      client.close();
    },
  };
}
