/**
 * The documented way for any process in a job — a shell script, a grandchild, a tool — to
 * register a value to mask: print a line `::add-mask::VALUE`. The line itself is never shown.
 * It sits before the masker in each channel, so a registered value is masked from the next byte
 * on, and it holds back only the start of a line that may still turn out to be a command.
 */
export const addMaskPrefix = Buffer.from('::add-mask::');
const newline = 0x0a;
/** A command line longer than this is cut; its value is still registered, never shown. */
const maxCommandBytes = 1 << 20;

export class AddMaskFilter {
  /** Bytes matched so far of a line that may be a command (a prefix of addMaskPrefix, or a whole command). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private atLineStart = true;
  private inCommand = false;

  constructor(private readonly onValue: (value: string) => void) {}

  /** Returns the bytes to pass on (in order); never a byte of a command line. */
  write(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.inCommand) {
        const nl = chunk.indexOf(newline, i);
        const end = nl === -1 ? chunk.length : nl;
        if (this.heldBytes < maxCommandBytes) this.hold(chunk.subarray(i, Math.min(end, i + maxCommandBytes - this.heldBytes)));
        if (nl === -1) return out;
        this.finishCommand();
        i = nl + 1;
        continue;
      }
      if (this.atLineStart) {
        // Compare what is here against the rest of the prefix.
        const want = addMaskPrefix.length - this.heldBytes;
        const n = Math.min(want, chunk.length - i);
        if (chunk.compare(addMaskPrefix, this.heldBytes, this.heldBytes + n, i, i + n) === 0) {
          this.hold(chunk.subarray(i, i + n));
          i += n;
          if (this.heldBytes === addMaskPrefix.length) this.inCommand = true;
          continue; // either a command now, or the chunk ran out while it still may be one
        }
        // Not a command: what was held is ordinary text after all.
        out.push(...this.release());
        this.atLineStart = false;
      }
      const nl = chunk.indexOf(newline, i);
      if (nl === -1) {
        out.push(chunk.subarray(i));
        return out;
      }
      out.push(chunk.subarray(i, nl + 1));
      i = nl + 1;
      this.atLineStart = true;
    }
    return out;
  }

  /** End of stream: an unfinished command still registers; a held maybe-prefix is text. */
  end(): Buffer[] {
    if (this.inCommand) {
      this.finishCommand();
      return [];
    }
    return this.release();
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.held.push(bytes);
    this.heldBytes += bytes.length;
  }

  private release(): Buffer[] {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    return held;
  }

  private finishCommand(): void {
    const line = Buffer.concat(this.release()).subarray(addMaskPrefix.length).toString('utf8');
    this.inCommand = false;
    this.atLineStart = true;
    const value = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (value !== '') this.onValue(value);
  }
}
