import { Duplex } from 'node:stream';
import type { SharedSession } from './shared-session.ts';
import { ConnectionStatementNames } from './statement-names.ts';

/** Frontend message types (Postgres protocol 3) this socket acts on itself. */
const TERMINATE = 0x58; // 'X'

let connections = 0;

/**
 * What node-postgres takes for its socket (the `stream` connection option), wired to PGlite in
 * this process instead of to a server: the bytes pg writes go to the shared session and the
 * session's reply comes back as data. No socket, port or file: only this process can reach the
 * database, and a round trip costs no system call.
 *
 * pg writes a query as several messages in one go (Parse, Bind, Execute, Sync; or one Query):
 * they are gathered until the writing code yields and then run as one turn of the session. The
 * statements it prepares are its own, as on a server (statement-names.ts).
 */
export class InProcessSocket extends Duplex {
  private pending: Buffer[] = [];
  private gathering = false;
  /** The first message a client sends (the startup message) has no type byte. */
  private started = false;
  private hungUp = false;
  private readonly statementNames = new ConnectionStatementNames(`c${++connections}:`);

  constructor(private readonly session: SharedSession) {
    super();
  }

  // The parts of net.Socket that pg calls.
  connect(): this {
    process.nextTick(() => this.emit('connect'));
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.pending.push(chunk);
    if (!this.gathering) {
      this.gathering = true;
      setImmediate(() => this.runGathered());
    }
    callback();
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.hangUp();
    this.push(null);
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.hangUp();
    callback(err);
  }

  /** The client is gone (Terminate, end or destroy, whichever comes first): the session is told once. */
  private hangUp(): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.session.leave(this, this.statementNames.closeAll());
  }

  private runGathered(): void {
    this.gathering = false;
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    const { startup, typed, rest, terminated } = this.splitMessages(bytes);
    if (rest.length > 0) this.pending.push(rest);
    const renamed = this.statementNames.rename(typed);
    const messages = startup.length === 0 ? renamed : Buffer.concat([startup, renamed]);
    if (messages.length > 0) {
      const reply: Buffer[] = [];
      this.session
        .run(this, messages, (data) => reply.push(Buffer.from(data)))
        .then(
          () => {
            if (reply.length > 0 && !this.hungUp) this.push(reply.length === 1 ? reply[0] : Buffer.concat(reply));
          },
          (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
        );
    }
    // Terminate is the client saying goodbye; the session itself lives on for the other connections.
    if (terminated) this.hangUp();
  }

  /**
   * Whole messages up to a Terminate (not sent on): the startup message if these bytes begin
   * with it, then the typed messages; and any incomplete tail.
   */
  private splitMessages(bytes: Buffer): { startup: Buffer; typed: Buffer; rest: Buffer; terminated: boolean } {
    let at = 0;
    let typedFrom = 0;
    while (at < bytes.length) {
      const typed = this.started;
      const headerLength = typed ? 5 : 4;
      if (bytes.length - at < headerLength) break;
      const length = (typed ? 1 : 0) + bytes.readInt32BE(at + (typed ? 1 : 0));
      if (bytes.length - at < length) break;
      if (typed && bytes[at] === TERMINATE) {
        return { startup: bytes.subarray(0, typedFrom), typed: bytes.subarray(typedFrom, at), rest: Buffer.alloc(0), terminated: true };
      }
      this.started = true;
      at += length;
      if (!typed) typedFrom = at;
    }
    return { startup: bytes.subarray(0, typedFrom), typed: bytes.subarray(typedFrom, at), rest: bytes.subarray(at), terminated: false };
  }
}
