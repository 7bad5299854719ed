/**
 * Finds every secret occurrence in a window of a stream, and how far back the stream must hold.
 *
 * A pure Aho–Corasick scan is latency-bound (each byte's table read waits on the previous one),
 * and with base64 and hex forms nearly every letter starts some needle, so it never idles at the
 * root. Instead, each position's next `q` bytes (q ≤ 4, the shortest needle) are hashed into a
 * bitset of the needles' first q bytes: independent work per byte, no dependent memory chain. A
 * position that passes is verified by walking the trie from it. Text built to pass the filter
 * everywhere (a job printing a secret's prefix over and over) would make that walk quadratic, so
 * past a work budget the window is scanned by the automaton instead; both give the same regions.
 */
import type { Automaton, Needle } from './automaton.ts';

/**
 * Filter size in bits (log2): at least 128 bits per gram, so under one in a hundred unrelated
 * positions passes, from 2^13 bits (1 KiB) for a job token alone up to 2^22 (512 KiB, reached
 * from about a hundred secrets on). A fixed 2^22 made every runner fault in and zero a filter's
 * worth of pages to mask one token: about half the pages a dispatched run's masking set-up faulted in.
 */
function filterBitsFor(grams: number): number {
  return Math.min(22, Math.max(10, Math.ceil(Math.log2(Math.max(1, grams))) + 7));
}
/** Longer strides hash fewer positions but set more filter bits: 8 measured best on CI logs. */
const maxStep = 8;

/** Matches as flat triples (start, end, name), all relative to the window's data. */
export type MatchList = number[];

/** What a stream searches with: one finder, or several over disjoint sets of needles. */
export interface Finder {
  find(data: Uint8Array, from: number, final: boolean, out: MatchList): number;
  readonly longestNeedle: number;
}

/**
 * Finders over disjoint needle sets searched as one: a secret registered while the job runs gets
 * a small finder of its own instead of a rebuild of the big one. Each part's hold is safe, so the
 * earliest is; matches a part keeps past it are found again by the next window, merging alike.
 */
export class FinderGroup implements Finder {
  readonly longestNeedle: number;

  constructor(private readonly parts: readonly Finder[]) {
    this.longestNeedle = Math.max(...parts.map((p) => p.longestNeedle));
  }

  find(data: Uint8Array, from: number, final: boolean, out: MatchList): number {
    let hold = data.length;
    for (const part of this.parts) hold = Math.min(hold, part.find(data, from, final, out));
    return hold;
  }
}

export class MatchFinder implements Finder {
  /** Gram length: at most 4 bytes, so a gram is one 32-bit integer. */
  private readonly q: number;
  /** Sampling stride: every needle is at least q + step - 1 bytes long. */
  private readonly step: number;
  private readonly filter: Uint32Array;
  /** The hash's right shift: 32 less the filter's bits. */
  private readonly shift: number;
  /** Length of the longest needle: how far a match can reach from any byte. */
  readonly longestNeedle: number;
  /** The needles' first q bytes only: a cheap test of a candidate before walking the trie. */
  private readonly starts: Uint32Array;

  constructor(
    readonly automaton: Automaton,
    needles: readonly Needle[],
  ) {
    let shortest = Infinity;
    let longest = 0;
    for (const n of needles) {
      shortest = Math.min(shortest, n.bytes.length);
      longest = Math.max(longest, n.bytes.length);
    }
    this.longestNeedle = longest;
    this.q = Math.max(1, Math.min(4, shortest));
    this.step = Math.max(1, Math.min(maxStep, shortest - this.q + 1));
    const filterBits = filterBitsFor(needles.length * this.step);
    this.shift = 32 - filterBits;
    this.filter = new Uint32Array(1 << (filterBits - 5));
    this.starts = new Uint32Array(1 << (filterBits - 5));
    // Each needle's grams at offsets 0..step-1: a sampled position falls on one of them.
    for (const n of needles) {
      let first = 0;
      for (let i = 0; i < this.q; i++) first = (first << 8) | n.bytes[i]!;
      const hs = Math.imul(first, 0x9e3779b1) >>> this.shift;
      this.starts[hs >>> 5]! |= 1 << (hs & 31);
      for (let o = 0; o < this.step; o++) {
        let g = 0;
        for (let i = 0; i < this.q; i++) g = (g << 8) | n.bytes[o + i]!;
        const h = Math.imul(g, 0x9e3779b1) >>> this.shift;
        this.filter[h >>> 5]! |= 1 << (h & 31);
      }
    }
  }

  /**
   * Looks for needles starting at `data[from..]`. Returns the hold point: the first position where
   * a needle may still start once more bytes come (`data.length` if none, or if `final`). Pushes
   * the longest match starting at each position before the hold point onto `out`.
   *
   * Only every `step`-th position is hashed: a needle starting at p holds, within its first
   * q + step - 1 bytes, the gram at the one sampled position in [p, p + step). A filter hit there
   * makes the `step` positions ending at it candidates.
   */
  find(data: Uint8Array, from: number, final: boolean, out: MatchList): number {
    const n = data.length;
    const q = this.q;
    const step = this.step;
    const filter = this.filter;
    const starts = this.starts;
    const shift = this.shift;
    const budget = 16 * (n - from) + 4096;
    let work = 0;
    let hold = n;
    const before = out.length;
    let covered = from - 1;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let p = from; p + q <= n; p += step) {
      let g: number;
      if (q === 4) g = view.getInt32(p);
      else {
        g = 0;
        for (let i = 0; i < q; i++) g = (g << 8) | data[p + i]!;
      }
      covered = p;
      const h = Math.imul(g, 0x9e3779b1) >>> shift;
      if ((filter[h >>> 5]! & (1 << (h & 31))) === 0) continue;
      for (let c = Math.max(from, p - step + 1); c <= p; c++) {
        if (c + q <= n) {
          let gc = 0;
          for (let i = 0; i < q; i++) gc = (gc << 8) | data[c + i]!;
          const hc = Math.imul(gc, 0x9e3779b1) >>> shift;
          if ((starts[hc >>> 5]! & (1 << (hc & 31))) === 0) continue;
        }
        const walked = this.verify(data, c, final, out);
        if (walked < 0) {
          if (c < hold) hold = c;
          work -= walked;
        } else work += walked;
      }
      if (work > budget) {
        out.length = before;
        return this.scanWithAutomaton(data, from, final, out);
      }
    }
    // Positions whose sampled gram runs past the end: too near the end to filter, so walk them.
    for (let c = covered + 1; c < n; c++) {
      if (this.verify(data, c, final, out) < 0 && c < hold) hold = c;
    }
    if (!final) dropFrom(out, before, hold);
    return final ? n : hold;
  }

  /**
   * Walks the trie from `p`, pushing the longest needle that starts there. Returns the bytes
   * walked, negated when the walk reached the end of the data still inside some needle's prefix.
   */
  private verify(data: Uint8Array, p: number, final: boolean, out: MatchList): number {
    const a = this.automaton;
    const n = data.length;
    let s = 0;
    let j = p;
    let bestEnd = -1;
    let bestName = 0;
    while (j < n) {
      const t = a.child(s, data[j]!);
      if (t < 0) break;
      s = t;
      j++;
      if (a.matchLength[s] === a.depth[s]) {
        bestEnd = j;
        bestName = a.matchName[s]!;
      }
    }
    if (bestEnd >= 0) out.push(p, bestEnd, bestName);
    const alive = !final && j === n && a.childCount[s]! > 0;
    return alive ? -(j - p) - 1 : j - p + 1;
  }

  /** The same result by a plain Aho–Corasick pass: linear whatever the text. */
  private scanWithAutomaton(data: Uint8Array, from: number, final: boolean, out: MatchList): number {
    const a = this.automaton;
    const hits: number[] = [];
    const state = a.scan(data, from, data.length, 0, hits);
    const before = out.length;
    for (let i = 0; i < hits.length; i += 2) {
      const end = hits[i]!;
      const s = hits[i + 1]!;
      out.push(end - a.matchLength[s]!, end, a.matchName[s]!);
    }
    const hold = final ? data.length : data.length - a.depth[state]!;
    if (!final) dropFrom(out, before, hold);
    return hold;
  }
}

/** Removes matches starting at or after `hold`: the next window finds them again, maybe longer. */
function dropFrom(out: MatchList, before: number, hold: number): void {
  let w = before;
  for (let r = before; r < out.length; r += 3) {
    if (out[r]! >= hold) continue;
    out[w++] = out[r]!;
    out[w++] = out[r + 1]!;
    out[w++] = out[r + 2]!;
  }
  out.length = w;
}
