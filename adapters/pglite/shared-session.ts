import type { PGlite } from '@electric-sql/pglite';

/** Something that sends queries: a connection of the pool (its identity is all that matters here). */
export type SessionUser = object;

interface Turn {
  readonly user: SessionUser;
  /** Protocol messages to run in one go; `null` is the user leaving (see `leave`). */
  readonly messages: Uint8Array | null;
  /** When leaving: messages that close what the user left in the session (its prepared statements). */
  readonly closing?: Uint8Array | null;
  readonly onData: (data: Uint8Array) => void;
  readonly done: (err?: Error) => void;
}

/**
 * PGlite is a single Postgres session. The pool's connections share it one turn at a time — a
 * turn is whatever protocol messages a connection wrote at once (a whole query) — and a
 * connection that leaves a transaction open keeps the session until that transaction ends:
 * other connections' turns wait, so no statement ever lands inside someone else's transaction.
 */
export class SharedSession {
  private readonly turns: Turn[] = [];
  /** The user whose transaction is open, if any. */
  private owner: SessionUser | null = null;
  private draining = false;

  constructor(private readonly db: PGlite) {}

  /** Runs `messages` when the session is free for `user`, handing the server's reply to `onData`. */
  run(user: SessionUser, messages: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.turns.push({ user, messages, onData, done: (err) => (err ? reject(err) : resolve()) });
      void this.drain();
    });
  }

  /**
   * `user` is gone: its waiting turns are dropped, a transaction it left open is rolled back, and
   * then `closing` runs (its reply unread), to close what the user left behind.
   */
  leave(user: SessionUser, closing: Uint8Array | null = null): void {
    for (let i = this.turns.length - 1; i >= 0; i--) {
      const turn = this.turns[i] as Turn;
      if (turn.user !== user) continue;
      this.turns.splice(i, 1);
      turn.done(new Error('the connection closed before its query ran'));
    }
    // Queued after a turn of this user still running, so a transaction that turn opens ends too.
    this.turns.push({ user, messages: null, closing, onData: () => {}, done: () => {} });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const i = this.owner === null ? 0 : this.turns.findIndex((t) => t.user === this.owner);
        const turn = this.turns[i];
        if (i < 0 || turn === undefined) return;
        this.turns.splice(i, 1);
        try {
          await this.take(turn);
          turn.done();
        } catch (err) {
          turn.done(err instanceof Error ? err : new Error(String(err)));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async take(turn: Turn): Promise<void> {
    if (turn.messages === null) {
      if (this.owner === turn.user) {
        this.owner = null;
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      }
      const closing = turn.closing;
      if (closing) await this.db.runExclusive(() => this.db.execProtocolRaw(closing));
      return;
    }
    const messages = turn.messages;
    try {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(messages, { onRawData: turn.onData }));
    } finally {
      this.owner = this.db.isInTransaction() ? turn.user : null;
    }
  }
}
