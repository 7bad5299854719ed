/**
 * One Aho–Corasick automaton over every needle of every secret, in typed arrays. The match
 * finder walks its trie edges to verify candidates, and falls back to its full transitions
 * (a scan linear in the text whatever the text) when candidates get too many.
 *
 * States are numbered breadth-first, so a state's failure target always has a smaller number,
 * a state's children are consecutive, and the shallow states come first. The first `dense`
 * states get a full row of transitions over byte classes (bytes that occur in no needle share
 * class 0); deeper states keep only their children and a failure link, and fall back to the
 * dense rows. A transition is encoded as `next << 1 | hit`, where `hit` says a needle ends at
 * `next`, so the scan loop needs one table read per byte.
 */

export interface Needle {
  readonly bytes: Uint8Array;
  /** Index of the secret's display name. */
  readonly name: number;
}

/** Entries of the dense table (4 bytes each); beyond it, states are sparse. */
const denseBudget = 1 << 21;

export class Automaton {
  readonly states: number;
  /** Number of states with a dense row. */
  readonly dense: number;
  /** Number of byte classes (row width). */
  readonly width: number;
  readonly byteClass: Uint16Array;
  readonly table: Int32Array;
  /** Length of the prefix a state stands for: how far back a live partial match reaches. */
  readonly depth: Int32Array;
  readonly fail: Int32Array;
  readonly firstChild: Int32Array;
  readonly childCount: Int32Array;
  readonly inByte: Uint8Array;
  /** Length and name of the longest needle that ends at this state (0: none). */
  readonly matchLength: Int32Array;
  readonly matchName: Int32Array;

  constructor(needles: readonly Needle[]) {
    // Trie built from the needles in byte order: each shares its prefix with the one before, so
    // no edge map is needed and every node's children come in ascending byte order.
    const sorted = [...needles].sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    let capacity = 1;
    for (const n of sorted) capacity += n.bytes.length;
    const firstKid = new Int32Array(capacity).fill(-1);
    const lastKid = new Int32Array(capacity).fill(-1);
    const sibling = new Int32Array(capacity).fill(-1);
    const edgeByte = new Uint8Array(capacity);
    const termLen = new Int32Array(capacity);
    const termName = new Int32Array(capacity);
    const used = new Uint8Array(256);
    const path = [0];
    let previous: Uint8Array = new Uint8Array(0);
    let count = 1;
    for (const { bytes, name } of sorted) {
      let common = 0;
      while (common < previous.length && common < bytes.length && previous[common] === bytes[common]) common++;
      path.length = common + 1;
      let s = path[common]!;
      for (let i = common; i < bytes.length; i++) {
        const t = count++;
        used[bytes[i]!] = 1;
        edgeByte[t] = bytes[i]!;
        if (lastKid[s] === -1) firstKid[s] = t;
        else sibling[lastKid[s]!] = t;
        lastKid[s] = t;
        path.push(t);
        s = t;
      }
      if (bytes.length > 0 && termLen[s] === 0) {
        termLen[s] = bytes.length;
        termName[s] = name;
      }
      previous = bytes;
    }

    // Breadth-first numbering: a node's children get consecutive numbers.
    const order = new Int32Array(count);
    const rank = new Int32Array(count);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const s = order[head]!;
      rank[s] = head;
      for (let t = firstKid[s]!; t !== -1; t = sibling[t]!) order[tail++] = t;
    }

    this.byteClass = new Uint16Array(256);
    let width = 1;
    for (let b = 0; b < 256; b++) if (used[b]) this.byteClass[b] = width++;
    this.width = width;
    this.states = count;
    this.depth = new Int32Array(count);
    this.fail = new Int32Array(count);
    this.firstChild = new Int32Array(count);
    this.childCount = new Int32Array(count);
    this.inByte = new Uint8Array(count);
    this.matchLength = new Int32Array(count);
    this.matchName = new Int32Array(count);
    const ownLength = new Int32Array(count);
    const ownName = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const s = order[i]!;
      this.inByte[i] = edgeByte[s]!;
      ownLength[i] = termLen[s]!;
      ownName[i] = termName[s]!;
      let kids = 0;
      for (let t = firstKid[s]!; t !== -1; t = sibling[t]!) kids++;
      this.childCount[i] = kids;
      this.firstChild[i] = kids > 0 ? rank[firstKid[s]!]! : 0;
    }

    // Failure links, inherited matches and dense rows in one breadth-first pass: everything a
    // state needs (its failure target, that target's row) belongs to an earlier state.
    this.dense = Math.min(count, Math.max(1, Math.floor(denseBudget / width)));
    this.table = new Int32Array(this.dense * width);
    for (let s = 0; s < count; s++) {
      const first = this.firstChild[s]!;
      const end = first + this.childCount[s]!;
      for (let t = first; t < end; t++) {
        this.depth[t] = this.depth[s]! + 1;
        const f = s === 0 ? 0 : this.sparseStep(this.fail[s]!, this.inByte[t]!) >>> 1;
        this.fail[t] = f;
        if (ownLength[t]! > 0) {
          this.matchLength[t] = ownLength[t]!;
          this.matchName[t] = ownName[t]!;
        } else {
          this.matchLength[t] = this.matchLength[f]!;
          this.matchName[t] = this.matchName[f]!;
        }
      }
      if (s < this.dense) {
        const row = s * width;
        if (s !== 0) {
          const f = this.fail[s]! * width;
          this.table.copyWithin(row, f, f + width);
        }
        for (let t = first; t < end; t++) this.table[row + this.byteClass[this.inByte[t]!]!] = this.encode(t);
      }
    }
  }

  /** A transition as the scan loop reads it. */
  encode(state: number): number {
    return (state << 1) | (this.matchLength[state]! > 0 ? 1 : 0);
  }

  /** The trie child of `state` on `byte`, or -1: a goto that lands one level deeper is a trie edge. */
  child(state: number, byte: number): number {
    if (state < this.dense) {
      const t = this.table[state * this.width + this.byteClass[byte]!]! >>> 1;
      return this.depth[t] === this.depth[state]! + 1 ? t : -1;
    }
    const first = this.firstChild[state]!;
    const end = first + this.childCount[state]!;
    for (let t = first; t < end; t++) if (this.inByte[t] === byte) return t;
    return -1;
  }

  /** The transition from a sparse state: its own children, else its failure chain. */
  sparseStep(state: number, byte: number): number {
    let s = state;
    while (s >= this.dense) {
      const first = this.firstChild[s]!;
      const end = first + this.childCount[s]!;
      for (let t = first; t < end; t++) if (this.inByte[t] === byte) return this.encode(t);
      s = this.fail[s]!;
    }
    return this.table[s * this.width + this.byteClass[byte]!]!;
  }

  /**
   * Runs the automaton over `data[from, to)` starting in `state`; pushes `(end offset, state)`
   * for every position where a needle ends onto `hits`, and returns the final state.
   */
  scan(data: Uint8Array, from: number, to: number, state: number, hits: number[]): number {
    const table = this.table;
    const cls = this.byteClass;
    const width = this.width;
    const dense = this.dense;
    let s = state;
    for (let i = from; i < to; i++) {
      const b = data[i]!;
      const v = s < dense ? table[s * width + cls[b]!]! : this.sparseStep(s, b);
      s = v >>> 1;
      if ((v & 1) !== 0) hits.push(i + 1, s);
    }
    return s;
  }
}
