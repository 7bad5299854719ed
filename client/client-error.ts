import type { ErrorCode } from '../core/errors.ts';

/**
 * What a client call can fail with: one of the API's own error codes (its `{code, message}`
 * passed through as sent), or `network` (no answer: refused, reset, DNS) or `timeout` (no answer
 * in time) when the server never got to say anything.
 */
export type ClientErrorCode = ErrorCode | 'network' | 'timeout';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The HTTP status, or null when no response arrived. */
    readonly status: number | null,
    /** The offending field of an `invalid_input`, e.g. `spec.timeout`, when the API named one. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for failures a retry may cure: no answer at all, or a gateway/unavailable status. */
  get transient(): boolean {
    return this.code === 'network' || this.code === 'timeout' || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

// Codes the API sends; one it adds later still comes through as sent (typed as the known set).
const apiCodes: readonly string[] = ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'unprocessable', 'unavailable', 'internal'];

/** The status code a proxy or a server in trouble answers with when the body is not the API's. */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_input';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'too_large';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/** A non-2xx response as a ClientError: the API's own `{error:{code,message}}` when it sent one. */
export async function errorFromResponse(res: Response): Promise<ClientError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const err = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  if (err !== undefined && typeof err.code === 'string' && apiCodes.includes(err.code)) {
    const message = typeof err.message === 'string' ? err.message : res.statusText;
    return new ClientError(err.code as ErrorCode, message, res.status, typeof err.field === 'string' ? err.field : undefined);
  }
  const detail = text.trim().slice(0, 200);
  return new ClientError(codeOfStatus(res.status), `HTTP ${res.status}${detail === '' ? ` ${res.statusText}` : `: ${detail}`}`, res.status);
}
