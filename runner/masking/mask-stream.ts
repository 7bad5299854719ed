/**
 * Masking of one output channel as a byte stream. Bytes come in as the pipe delivers them, cut
 * anywhere (inside a secret, inside a UTF-8 character); bytes go out as soon as no secret can
 * still cover them. What is held back is only the longest live partial match plus a masked
 * region that a later match could still extend.
 */
import type { Finder, MatchList } from './match-finder.ts';
import { findAcrossWraps, lineContextAfter, type LineContext } from './wrapped-lines.ts';

export interface MaskStream {
  /** Feed raw bytes; returns the bytes that are safe to emit now (may be empty, may share memory with `chunk`). */
  write(chunk: Uint8Array): Uint8Array;
  /** End of stream: returns everything still held, masked. */
  end(): Uint8Array;
  /** Bytes currently held back. */
  readonly pending: number;
}

/** What a stream needs from its masker: the match finder of the moment and the markers. */
export interface MaskSource {
  finder(): Finder | null;
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
  private current: Finder | null = null;
  /** Bytes consumed so far. */
  private position = 0;
  /** Every needle starting before this offset has been found. */
  private verified = 0;
  /** The bytes not yet emitted: stream offsets [position - held.length, position). */
  private held: Buffer = empty;
  /** Matched spans not yet emitted, sorted, disjoint and not adjacent. */
  private regions: Region[] = [];
  private readonly matches: MatchList = [];
  /** What the emitted text tells about the line the first held byte is on (see wrapped-lines.ts). */
  private lineBefore: LineContext = 0;

  constructor(private readonly source: MaskSource) {}

  get pending(): number {
    return this.held.length;
  }

  write(chunk: Uint8Array): Uint8Array {
    const finder = this.refresh();
    if (finder === null) {
      // No secret yet: bytes pass through, but the line they leave open still counts for wraps.
      this.lineBefore = lineContextAfter(chunk, chunk.length, this.lineBefore);
      this.position += chunk.length;
      this.verified = this.position;
      return chunk;
    }
    if (chunk.length === 0) return empty;
    const base = this.position - this.held.length;
    const data = this.held.length === 0 ? asBuffer(chunk) : Buffer.concat([this.held, chunk]);
    this.position += chunk.length;
    const hold = finder.find(data, this.verified - base, false, this.matches);
    const wrapHold = findAcrossWraps(finder, data, this.lineBefore, false, this.matches);
    this.verified = base + hold;
    this.merge(base);
    return this.emit(data, base, base + Math.min(hold, wrapHold));
  }

  end(): Uint8Array {
    const finder = this.refresh();
    const base = this.position - this.held.length;
    if (finder !== null) {
      finder.find(this.held, this.verified - base, true, this.matches);
      findAcrossWraps(finder, this.held, this.lineBefore, true, this.matches);
      this.merge(base);
    }
    this.verified = this.position;
    return this.emit(this.held, base, this.position, true);
  }

  /**
   * A secret added since the last write means a new finder: every byte not yet emitted is
   * searched again. Regions found before stay (the new needles include the old ones).
   */
  private refresh(): Finder | null {
    const finder = this.source.finder();
    if (finder !== this.current) {
      this.current = finder;
      this.verified = this.position - this.held.length;
    }
    return finder;
  }

  /** Folds new matches into the regions: overlapping or adjacent spans become one. */
  private merge(base: number): void {
    const m = this.matches;
    if (m.length === 0) return;
    const all = this.regions;
    for (let i = 0; i < m.length; i += 3) {
      all.push({ start: base + m[i]!, end: base + m[i + 1]!, name: m[i + 2]!, nameLength: m[i + 1]! - m[i]! });
    }
    m.length = 0;
    all.sort((a, b) => a.start - b.start || b.nameLength - a.nameLength);
    const merged: Region[] = [];
    for (const r of all) {
      const last = merged[merged.length - 1];
      if (last !== undefined && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else merged.push(r);
    }
    this.regions = merged;
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
        if (first.end === boundary) open++;
        else first.start = boundary;
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
    this.lineBefore = lineContextAfter(data, cutAt, this.lineBefore);
    // The held tail is copied: the caller may reuse its chunk's memory after this call.
    this.held = cutAt >= data.length ? empty : Buffer.from(data.subarray(cutAt));
    return out;
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
