/**
 * Secrets inside base64 that a tool wrapped across lines. `env | base64` breaks its output every
 * 76 columns, PEM and `openssl base64` every 64: a secret's base64 form is cut in two by a line
 * break about as often as not.
 *
 * The rule: a line break is a *wrap* when the line before it is made only of base64 characters,
 * exactly as many as a wrapping tool puts on a line (`wrapWidths`), and the line after starts
 * with one. Exact widths keep ordinary lines that happen to be one word from being joined or held. Matching also runs on the
 * text with wraps taken out; a match that spans a wrap masks the original bytes, break included.
 * Ordinary log lines hold a space or punctuation, so the backwards look from each line break
 * that decides this stops within a few bytes, and plain logs pay little for it.
 */
import type { Finder, MatchList } from './match-finder.ts';

/**
 * `xxd -p` wraps hex at 60; PEM, gpg and `openssl base64` wrap base64 at 64; OpenSSH private keys
 * at 70; `base64`, MIME and Python at 76. Hex digits are base64 characters, so one rule serves both.
 */
export const wrapWidths: readonly number[] = [60, 64, 70, 76];

export const base64Char = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=') base64Char[c.charCodeAt(0)] = 1;

const LF = 10;
const CR = 13;

/**
 * Length of the base64 run that ends the text before a window and starts its line, or -1 when
 * that line holds anything else. The window's first line continues it.
 */
export type LineContext = number;

/** Is the line ending at `lineEnd` (index of its CR or LF) made only of base64 characters, a wrap width of them? */
function wrappedLine(data: Uint8Array, lineEnd: number, before: LineContext): boolean {
  // Only a line break exactly a wrap width back can start such a line: three reads rule out most lines.
  let start = -1;
  for (const w of wrapWidths) {
    const s = lineEnd - w;
    if (s > 0 ? data[s - 1] === LF : before >= 0 && before + lineEnd === w) {
      start = Math.max(0, s);
      break;
    }
  }
  if (start < 0) return false;
  for (let i = start; i < lineEnd; i++) if (base64Char[data[i]!] !== 1) return false;
  return true;
}

/**
 * The wraps in a window: for each, the first and last index of its break bytes (CR LF or LF).
 * Before the last write a break at the very end may be a wrap, its next byte still unknown.
 */
function findWraps(data: Uint8Array, before: LineContext, final: boolean): number[] {
  const n = data.length;
  const wraps: number[] = [];
  for (let j = n === 0 ? -1 : data.indexOf(LF); j !== -1; j = j + 1 >= n ? -1 : data.indexOf(LF, j + 1)) {
    const lineEnd = j > 0 && data[j - 1] === CR ? j - 1 : j;
    const continues = j + 1 < n ? base64Char[data[j + 1]!] === 1 : !final;
    if (continues && wrappedLine(data, lineEnd, before)) wraps.push(lineEnd, j);
  }
  if (!final && n > 0 && data[n - 1] === CR && wrappedLine(data, n - 1, before)) wraps.push(n - 1, n - 1);
  return wraps;
}

/**
 * Finds matches that span a wrap, pushing them (window coordinates) onto `out`, and returns the
 * hold point: where such a match may still be in progress at the end of the window.
 */
export function findAcrossWraps(finder: Finder, data: Uint8Array, before: LineContext, final: boolean, out: MatchList): number {
  const wraps = findWraps(data, before, final);
  if (wraps.length === 0) return data.length;
  const n = data.length;
  const reach = finder.longestNeedle;
  let hold = n;
  // Windows of `reach` bytes around each wrap, merged when they touch: any match spanning a wrap
  // lies inside one, with every wrap it spans taken out.
  for (let w = 0; w < wraps.length; ) {
    const from = Math.max(0, wraps[w]! - reach);
    let to = Math.min(n, wraps[w + 1]! + 1 + reach);
    const keep: number[] = [];
    let k = from;
    while (w < wraps.length && wraps[w]! < to) {
      for (; k < wraps[w]!; k++) keep.push(k);
      k = wraps[w + 1]! + 1;
      to = Math.min(n, Math.max(to, k + reach));
      w += 2;
    }
    for (; k < to; k++) keep.push(k);
    const open = !final && to === n;
    const joined = new Uint8Array(keep.length);
    for (let m = 0; m < keep.length; m++) joined[m] = data[keep[m]!]!;
    const found: MatchList = [];
    const joinedHold = finder.find(joined, 0, !open, found);
    for (let m = 0; m < found.length; m += 3) {
      const s = keep[found[m]!]!;
      const e = keep[found[m + 1]! - 1]! + 1;
      if (e - s > found[m + 1]! - found[m]!) out.push(s, e, found[m + 2]!); // spans a wrap
    }
    if (open && joinedHold < keep.length) hold = Math.min(hold, keep[joinedHold]!);
  }
  return hold;
}

/** The line context after `data[0, cut)`, given the one before `data`. */
export function lineContextAfter(data: Uint8Array, cut: number, before: LineContext): LineContext {
  let i = cut - 1;
  while (i >= 0 && base64Char[data[i]!] === 1) i--;
  if (i >= 0) return data[i] === LF ? cut - i - 1 : -1;
  return before >= 0 ? before + cut : -1;
}
