import { AppError } from '../../core/errors.ts';

const maxSegmentBytes = 255;

/** A refusal that names the member, so the job's log says exactly what was wrong with the archive. */
export function refuse(member: string, reason: string): AppError {
  return new AppError('invalid_input', `archive member ${JSON.stringify(member)} refused: ${reason}`, {
    member,
    reason,
  });
}

export function tooLarge(limit: string, value: number, member?: string): AppError {
  const where = member === undefined ? '' : ` at member ${JSON.stringify(member)}`;
  return new AppError('too_large', `archive exceeds ${limit} (${value})${where}`, {
    limit,
    value,
    ...(member === undefined ? {} : { member }),
  });
}

/**
 * A member's path as segments relative to the extraction root, or a refusal. `./` and empty
 * segments are dropped (archives made with `tar -C dir .` start every name with `./`); anything
 * that could leave the root or mean different things on different systems is refused: absolute
 * paths, drive letters, `..`, NUL, backslashes. An empty result is the root itself.
 */
export function memberSegments(name: string, maxPathLength: number, what = 'path'): string[] {
  if (name.includes('\0')) throw refuse(name, `${what} contains a NUL byte`);
  if (name.includes('\\')) throw refuse(name, `${what} contains a backslash`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > maxPathLength) throw tooLarge(`maxPathLength ${maxPathLength}`, bytes, name.slice(0, 80));
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw refuse(name, `${what} is absolute`);
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw refuse(name, `${what} has a ".." component`);
    if (Buffer.byteLength(segment, 'utf8') > maxSegmentBytes) throw refuse(name, `${what} has a component over ${maxSegmentBytes} bytes`);
    segments.push(segment);
  }
  return segments;
}
