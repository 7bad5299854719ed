/**
 * The documented way for any process in a job — a shell script, a grandchild, a tool — to
 * register a value to mask: print a line `::add-mask::VALUE`. The line itself is never shown.
 * It sits before the masker in each channel, so a registered value is masked from the next byte
 * on. It holds back only the start of a line that may still turn out to be a command, and passes
 * everything else on in as few pieces as it came in (one per chunk, unless a command is cut out).
 */
const addMaskCommand = '::add-mask::';
export const addMaskPrefix = Buffer.from(addMaskCommand);
const newline = 0x0a;
// Spelt out rather than concatenated: Buffer.concat is code compiled afresh in every process.
const lineStartPrefix = Buffer.from(`\n${addMaskCommand}`);
/** A command line longer than this is cut; its value is still registered, never shown. */
const maxCommandBytes = 1 << 20;

export class AddMaskFilter {
  /** The start of a line that is, so far, the command prefix (or all of a command line). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private atLineStart = true;
  private inCommand = false;

  constructor(private readonly onValue: (value: string) => void) {}

  /** Returns the bytes to pass on, in order; never a byte of a command line. */
  write(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.inCommand) {
        i = this.continueCommand(chunk, i);
        continue;
      }
      if (this.atLineStart) {
        const n = Math.min(addMaskPrefix.length - this.heldBytes, chunk.length - i);
        if (chunk.compare(addMaskPrefix, this.heldBytes, this.heldBytes + n, i, i + n) === 0) {
          this.hold(chunk.subarray(i, i + n));
          i += n;
          this.inCommand = this.heldBytes === addMaskPrefix.length;
          continue; // a command now, or the chunk ran out while it still may become one
        }
        out.push(...this.release()); // what was held is ordinary text after all
        this.atLineStart = false;
      }
      // Only a line starting with the prefix matters: jump to the next one.
      const next = chunk.indexOf(lineStartPrefix, i);
      if (next !== -1) {
        if (next + 1 > i) out.push(chunk.subarray(i, next + 1));
        i = next + 1;
        this.atLineStart = true;
        continue;
      }
      // None in this chunk; its last line may still be the start of one.
      const tailStart = chunk.lastIndexOf(newline) + 1; // 0 when there is no newline: never > i
      const tailLength = chunk.length - tailStart;
      if (
        tailStart > i &&
        tailLength < addMaskPrefix.length &&
        chunk.compare(addMaskPrefix, 0, tailLength, tailStart, chunk.length) === 0
      ) {
        if (tailStart > i) out.push(chunk.subarray(i, tailStart));
        i = tailStart;
        this.atLineStart = true;
        continue; // the line-start branch holds or releases the tail
      }
      out.push(chunk.subarray(i));
      this.atLineStart = false;
      return out;
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

  private continueCommand(chunk: Buffer, i: number): number {
    const nl = chunk.indexOf(newline, i);
    const end = nl === -1 ? chunk.length : nl;
    this.hold(chunk.subarray(i, Math.min(end, i + Math.max(0, maxCommandBytes - this.heldBytes))));
    if (nl === -1) return chunk.length;
    this.finishCommand();
    return nl + 1;
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
