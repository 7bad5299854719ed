/**
 * Masking of one output channel as a byte stream. Bytes come in as the pipe delivers them, cut
 * anywhere (inside a secret, inside a UTF-8 character); bytes go out as soon as no secret can
 * still cover them. What is held back is only the longest live partial match (the automaton
 * state's depth) plus a masked region that a later match could still extend.
 */
import type { Automaton } from './automaton.ts';

export interface MaskStream {
  /** Feed raw bytes; returns the bytes that are safe to emit now (may be empty, may share memory with `chunk`). */
  write(chunk: Uint8Array): Uint8Array;
  /** End of stream: returns everything still held, masked. */
  end(): Uint8Array;
  /** Bytes currently held back. */
  readonly pending: number;
}

/** What a stream needs from its masker: the automaton of the moment and the markers. */
export interface MaskSource {
  automaton(): Automaton | null;
  marker(name: number): Uint8Array;
}

/** A masked span in absolute stream offsets; named after the match that starts first (then the longest). */
interface Region {
  start: number;
  end: number;
  name: number;
  nameLength: number;
}

/**
 * A run of back-to-back secrets keeps one region open for as long as it goes on; past this many
 * bytes the part that no future match can reach is emitted as its own marker, so memory stays
 * bounded whatever the job prints.
 */
const maxOpenRegion = 64 * 1024;

const empty = Buffer.alloc(0);

export class ByteMaskStream implements MaskStream {
  private current: Automaton | null = null;
  private state = 0;
  /** Bytes consumed so far. */
  private position = 0;
  /** The bytes not yet emitted: stream offsets [position - held.length, position). */
  private held: Buffer = empty;
  /** Matched spans not yet emitted, sorted, disjoint and not adjacent. */
  private regions: Region[] = [];
  private readonly hits: number[] = [];

  constructor(private readonly source: MaskSource) {}

  get pending(): number {
    return this.held.length;
  }

  write(chunk: Uint8Array): Uint8Array {
    const automaton = this.refresh();
    if (automaton === null) return chunk;
    if (chunk.length === 0) return empty;
    const base = this.position - this.held.length;
    const data = this.held.length === 0 ? asBuffer(chunk) : Buffer.concat([this.held, chunk]);
    this.state = automaton.scan(data, this.held.length, data.length, this.state, this.hits);
    this.position += chunk.length;
    this.applyHits(automaton, base);
    return this.emit(data, base, this.position - automaton.depth[this.state]!);
  }

  end(): Uint8Array {
    this.refresh();
    const base = this.position - this.held.length;
    const out = this.emit(this.held, base, this.position, true);
    this.state = 0;
    return out;
  }

  /**
   * A secret added since the last write means a new automaton: scan again, from the root, the
   * bytes not yet emitted. They start no later than any live partial match, so the new state is
   * exact; regions found before stay (the new needles include the old ones).
   */
  private refresh(): Automaton | null {
    const automaton = this.source.automaton();
    if (automaton !== this.current) {
      this.current = automaton;
      this.state = 0;
      if (automaton !== null && this.held.length > 0) {
        this.state = automaton.scan(this.held, 0, this.held.length, 0, this.hits);
        this.applyHits(automaton, this.position - this.held.length);
      }
    }
    return automaton;
  }

  /** Turns the scan's hits (end offset within data, state) into merged regions. */
  private applyHits(automaton: Automaton, base: number): void {
    const hits = this.hits;
    const regions = this.regions;
    for (let i = 0; i < hits.length; i += 2) {
      const end = base + hits[i]!;
      const state = hits[i + 1]!;
      const length = automaton.matchLength[state]!;
      let start = Math.max(end - length, base);
      let name = automaton.matchName[state]!;
      let nameLength = length;
      let regionEnd = end;
      // Matches arrive in order of their end; a long one may swallow several earlier regions.
      while (regions.length > 0 && regions[regions.length - 1]!.end >= start) {
        const r = regions.pop()!;
        if (r.start < start || (r.start === start && r.nameLength > nameLength)) {
          start = r.start;
          name = r.name;
          nameLength = r.nameLength;
        }
        regionEnd = Math.max(regionEnd, r.end);
      }
      regions.push({ start, end: regionEnd, name, nameLength });
    }
    hits.length = 0;
  }

  /**
   * Emits data up to `boundary` (no match can start before it) except a region that touches it,
   * which a later match could still extend; keeps the rest held.
   */
  private emit(data: Buffer, base: number, boundary: number, final = false): Uint8Array {
    const regions = this.regions;
    let open = 0;
    while (open < regions.length && (final || regions[open]!.end < boundary)) open++;
    let cut = boundary;
    const closed = regions.slice(0, open);
    const first = regions[open];
    if (first !== undefined && first.start < boundary) {
      if (boundary - first.start > maxOpenRegion) {
        closed.push({ ...first, end: boundary });
        first.start = boundary;
      } else {
        cut = first.start;
      }
    }
    this.regions = regions.slice(open);
    const cutAt = cut - base;
    let out: Uint8Array;
    if (closed.length === 0) {
      out = data.subarray(0, cutAt);
    } else {
      const parts: Uint8Array[] = [];
      let from = 0;
      for (const r of closed) {
        parts.push(data.subarray(from, r.start - base), this.source.marker(r.name));
        from = r.end - base;
      }
      parts.push(data.subarray(from, cutAt));
      out = Buffer.concat(parts);
    }
    // The held tail is copied: the caller may reuse its chunk's memory after this call.
    this.held = cutAt >= data.length ? empty : Buffer.from(data.subarray(cutAt));
    return out;
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
