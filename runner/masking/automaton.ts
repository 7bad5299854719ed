/**
 * One Aho–Corasick automaton over every needle of every secret, in typed arrays, so the cost
 * per byte does not grow with the number of secrets.
 *
 * States are numbered breadth-first, so a state's failure target always has a smaller number and
 * the shallow states — where a scan spends nearly all its time — come first. The first `dense`
 * states get a full row of transitions over byte classes (bytes that occur in no needle share
 * class 0); deeper states keep only their children (contiguous, thanks to the numbering) and a
 * failure link, and fall back to the dense rows. A transition is encoded as `next << 1 | hit`,
 * where `hit` says a needle ends at `next`, so the hot loop needs one table read per byte.
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
    let capacity = 1;
    for (const n of needles) capacity += n.bytes.length;

    // Trie in insertion numbering; children as linked lists, edges in a map for failure links.
    const edges = new Map<number, number>();
    const firstKid = new Int32Array(capacity).fill(-1);
    const sibling = new Int32Array(capacity).fill(-1);
    const edgeByte = new Uint8Array(capacity);
    const termLen = new Int32Array(capacity);
    const termName = new Int32Array(capacity);
    const used = new Uint8Array(256);
    let count = 1;
    for (const { bytes, name } of needles) {
      let s = 0;
      for (const b of bytes) {
        used[b] = 1;
        const key = s * 256 + b;
        let t = edges.get(key);
        if (t === undefined) {
          t = count++;
          edges.set(key, t);
          edgeByte[t] = b;
          sibling[t] = firstKid[s]!;
          firstKid[s] = t;
        }
        s = t;
      }
      if (termLen[s] === 0 && bytes.length > 0) {
        termLen[s] = bytes.length;
        termName[s] = name;
      }
    }

    // Breadth-first order, failure links and inherited matches (still in insertion numbering).
    const order = new Int32Array(count);
    const rank = new Int32Array(count);
    const oldFail = new Int32Array(count);
    const outLen = new Int32Array(count);
    const outName = new Int32Array(count);
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const s = order[head]!;
      rank[s] = head++;
      for (let t = firstKid[s]!; t !== -1; t = sibling[t]!) {
        order[tail++] = t;
        const b = edgeByte[t]!;
        let f = 0;
        if (s !== 0) {
          for (let g = oldFail[s]!; ; g = oldFail[g]!) {
            const next = edges.get(g * 256 + b);
            if (next !== undefined) { f = next; break; }
            if (g === 0) break;
          }
        }
        oldFail[t] = f;
        if (termLen[t]! > 0) { outLen[t] = termLen[t]!; outName[t] = termName[t]!; }
        else { outLen[t] = outLen[f]!; outName[t] = outName[f]!; }
      }
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
    for (let i = 0; i < count; i++) {
      const s = order[i]!;
      this.fail[i] = rank[oldFail[s]!]!;
      this.inByte[i] = edgeByte[s]!;
      this.matchLength[i] = outLen[s]!;
      this.matchName[i] = outName[s]!;
      let kids = 0;
      let firstRank = 0;
      for (let t = firstKid[s]!; t !== -1; t = sibling[t]!) {
        kids++;
        firstRank = kids === 1 ? rank[t]! : Math.min(firstRank, rank[t]!);
        this.depth[rank[t]!] = this.depth[i]! + 1;
      }
      this.firstChild[i] = firstRank;
      this.childCount[i] = kids;
    }

    this.dense = Math.min(count, Math.max(1, Math.floor(denseBudget / width)));
    this.table = new Int32Array(this.dense * width);
    for (let s = 0; s < this.dense; s++) {
      const row = s * width;
      if (s !== 0) {
        const f = this.fail[s]! * width;
        this.table.copyWithin(row, f, f + width);
      }
      const first = this.firstChild[s]!;
      for (let t = first; t < first + this.childCount[s]!; t++) {
        this.table[row + this.byteClass[this.inByte[t]!]!] = this.encode(t);
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
