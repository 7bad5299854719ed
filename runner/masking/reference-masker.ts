/**
 * The masking rule written the slow, obvious way — every needle searched with indexOf, every
 * match collected, overlapping or adjacent matches merged — as the specification the tests hold
 * the automaton and the streams to (wrapped-line matching included). Not for production use: its cost grows with every secret.
 */
import { sanitizeSecretName } from './secret-masker.ts';
import { secretVariants } from './variants.ts';
import { wrapWidths } from './wrapped-lines.ts';

interface Match {
  start: number;
  end: number;
  name: string;
}

export function referenceMask(
  input: Uint8Array,
  secrets: ReadonlyArray<readonly [name: string, value: string]>,
  minLength = 6,
): Buffer {
  const text = Buffer.from(input);
  const needles = new Map<string, { bytes: Buffer; name: string }>();
  const values = new Set<string>();
  for (const [name, value] of secrets) {
    if (value.trim() === '' || [...value.trim()].length < minLength || values.has(value)) continue;
    values.add(value);
    for (const bytes of secretVariants(value, minLength)) {
      const key = bytes.toString('latin1');
      if (!needles.has(key)) needles.set(key, { bytes, name: sanitizeSecretName(name) });
    }
  }
  const matches: Match[] = [];
  for (const { bytes, name } of needles.values()) {
    for (let at = text.indexOf(bytes); at !== -1; at = text.indexOf(bytes, at + 1)) {
      matches.push({ start: at, end: at + bytes.length, name });
    }
  }
  // Wrapped base64: take out every line break after a line of only base64 characters (exactly a
  // wrap width of them) that is followed by one; a match in that text spanning a break masks it too.
  const lines = text.toString('latin1').split('\n');
  const keep: number[] = [];
  let at = 0;
  lines.forEach((line, i) => {
    const body = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let k = 0; k < body.length; k++) keep.push(at + k);
    const next = lines[i + 1];
    const wrap = next !== undefined && /^[A-Za-z0-9+/=_-]+$/.test(body) && wrapWidths.includes(body.length) && /^[A-Za-z0-9+/=_-]/.test(next);
    if (!wrap) for (let k = body.length; k < line.length + (next === undefined ? 0 : 1); k++) keep.push(at + k);
    at += line.length + 1;
  });
  const joined = Buffer.from(keep.map((k) => text[k]!));
  for (const { bytes, name } of needles.values()) {
    for (let j = joined.indexOf(bytes); j !== -1; j = joined.indexOf(bytes, j + 1)) {
      const start = keep[j]!;
      const end = keep[j + bytes.length - 1]! + 1;
      if (end - start > bytes.length) matches.push({ start, end, name });
    }
  }
  // Named after the match that starts first, then the longest: the engine's documented choice.
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Match[] = [];
  for (const m of matches) {
    const last = merged[merged.length - 1];
    if (last !== undefined && m.start <= last.end) last.end = Math.max(last.end, m.end);
    else merged.push({ ...m });
  }
  const parts: Buffer[] = [];
  let from = 0;
  for (const m of merged) {
    parts.push(text.subarray(from, m.start), Buffer.from(`***${m.name}***`, 'latin1'));
    from = m.end;
  }
  parts.push(text.subarray(from));
  return Buffer.concat(parts);
}
