import { AppError, conflict, unavailable } from '../../core/errors.ts';

/**
 * Translates what pg throws into the closed error set at this boundary, so nothing above the
 * adapter sees a vendor error. Anything not recognised passes through and becomes `internal`.
 */
export function translatePgError(thrown: unknown): unknown {
  if (thrown instanceof AppError) return thrown;
  if (typeof thrown !== 'object' || thrown === null) return thrown;
  const { code, message } = thrown as { code?: unknown; message?: unknown };
  // pg reports a lost or unobtainable connection as a bare Error without a code.
  if (typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect)/.test(message)) {
    return unavailable('database unavailable', thrown);
  }
  if (typeof code !== 'string') return thrown;
  if (code === '23505') return conflict('already exists');
  // Connection refused or reset, the server shutting down, too many clients, a read-only standby.
  if (/^(08|57P0|53300|25006)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|HOSTUNREACH|TIMEDOUT)$/.test(code)) {
    return unavailable('database unavailable', thrown);
  }
  return thrown;
}

/** Runs a database call and translates its failure. */
export async function pgCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translatePgError(err);
  }
}
