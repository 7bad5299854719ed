/**
 * Kubernetes API errors in the system's own vocabulary (core/errors.ts): the executor reports
 * `not_found`, `conflict`, `forbidden` or `unavailable` with the API server's own message, and
 * nothing above the adapter sees an ApiException.
 */
import { AppError, coerceError } from '../../core/errors.ts';

export function kubeStatusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's message (its Status body) or the transport error's. */
export function kubeMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 500);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  const cause = coerceError(err);
  return cause.message.split('\n')[0] ?? 'unknown error';
}

export function fromKubeError(err: unknown, doing: string): AppError {
  if (err instanceof AppError) return err;
  const code = kubeStatusCode(err);
  const message = `${doing}: ${kubeMessage(err)}`;
  const as = code === 404 ? 'not_found' : code === 409 ? 'conflict' : code === 401 || code === 403 ? 'forbidden' : code === 400 || code === 422 ? 'invalid_input' : 'unavailable';
  return new AppError(as, message, code === undefined ? undefined : { status: code }, { cause: err });
}
