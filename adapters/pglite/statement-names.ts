/**
 * Named prepared statements belong to a connection on a real server; PGlite is one session that
 * every connection of the pool shares, so two connections preparing the same name would collide.
 * Each in-process connection therefore renames the statements it names in the extended protocol
 * (Parse, Bind, Describe and Close of a statement) with a prefix of its own, and closes them all
 * as it leaves. The unnamed statement is shared by nature and left alone; SQL-level PREPARE and
 * EXECUTE (in a Query message) are not renamed, and nothing here uses them.
 */

const PARSE = 0x50; // 'P'
const BIND = 0x42; // 'B'
const DESCRIBE = 0x44; // 'D'
const CLOSE = 0x43; // 'C'
const SYNC = 0x53; // 'S'
const STATEMENT = 0x53; // 'S': Describe or Close of a statement, not of a portal

export class ConnectionStatementNames {
  private readonly prefix: Buffer;
  private readonly named = new Set<string>();

  /** `prefix` must end in a character no other connection's prefix continues with (e.g. `c12:`). */
  constructor(prefix: string) {
    this.prefix = Buffer.from(prefix, 'utf8');
  }

  /** Whole typed frontend messages, with every statement name this connection gave renamed. */
  rename(messages: Buffer): Buffer {
    const pieces: Buffer[] = [];
    let copiedTo = 0;
    let at = 0;
    while (at + 5 <= messages.length) {
      const length = 1 + messages.readInt32BE(at + 1);
      const nameAt = this.statementNameAt(messages, at);
      if (nameAt !== null && messages[nameAt] !== 0) {
        if (messages[at] === PARSE) this.named.add(messages.toString('utf8', nameAt, messages.indexOf(0, nameAt)));
        pieces.push(messages.subarray(copiedTo, at), this.renamed(messages.subarray(at, at + length), nameAt - at));
        copiedTo = at + length;
      }
      at += length;
    }
    if (copiedTo === 0) return messages;
    pieces.push(messages.subarray(copiedTo));
    return Buffer.concat(pieces);
  }

  /** Close for every statement this connection prepared, then Sync; null when it prepared none. */
  closeAll(): Buffer | null {
    if (this.named.size === 0) return null;
    const closes = [...this.named].map((name) => {
      const full = Buffer.concat([this.prefix, Buffer.from(name, 'utf8'), Buffer.from([0])]);
      const header = Buffer.alloc(6);
      header[0] = CLOSE;
      header.writeInt32BE(5 + full.length, 1);
      header[5] = STATEMENT;
      return Buffer.concat([header, full]);
    });
    const sync = Buffer.from([SYNC, 0, 0, 0, 4]);
    return Buffer.concat([...closes, sync]);
  }

  /** Where the statement name of the message at `at` starts, or null for a message without one. */
  private statementNameAt(messages: Buffer, at: number): number | null {
    const type = messages[at];
    if (type === PARSE) return at + 5;
    // After the portal's name.
    if (type === BIND) return messages.indexOf(0, at + 5) + 1;
    if (type === DESCRIBE || type === CLOSE) return messages[at + 5] === STATEMENT ? at + 6 : null;
    return null;
  }

  /** The message with the prefix inserted at `nameAt` and its length field grown to match. */
  private renamed(message: Buffer, nameAt: number): Buffer {
    const out = Buffer.concat([message.subarray(0, nameAt), this.prefix, message.subarray(nameAt)]);
    out.writeInt32BE(out.length - 1, 1);
    return out;
  }
}
