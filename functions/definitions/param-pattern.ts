import { RE2JS } from 're2js';
import { AppError, invalidInput } from '../../core/errors.ts';

/**
 * Parameter patterns run in RE2 (re2js, pure JavaScript): matching takes time linear in the
 * value whatever the pattern, so a careless `(a+)+` cannot hang the API on a contributor's value.
 * RE2 has no backreferences or lookaround, so such patterns are refused when the definition is
 * created. The match is of the whole value (`matches`, never `find`), so a pattern cannot be
 * satisfied by a prefix followed by a newline and a second assignment.
 */
export const paramLimits = Object.freeze({ maxPatternLength: 512, maxValueLength: 1024 });

export interface ParamPattern {
  matches(value: string): boolean;
}

/** Compiles a definition's pattern, or throws `invalid_input` naming `field`. */
export function compileParamPattern(pattern: string, field: string): ParamPattern {
  if (pattern.length === 0 || pattern.length > paramLimits.maxPatternLength) {
    throw invalidInput(`${field}: must be 1–${paramLimits.maxPatternLength} characters`, { field });
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    throw invalidInput(`${field}: not a supported pattern (RE2 syntax, no backreferences or lookaround): ${(err as Error).message}`, { field });
  }
  return { matches: (value) => compiled.matches(value) };
}

/** Why `value` is not acceptable for a parameter, or null when it is. */
export function paramValueProblem(pattern: ParamPattern, value: string): string | null {
  if (value.length > paramLimits.maxValueLength) return `longer than ${paramLimits.maxValueLength} characters`;
  // An env var cannot hold NUL; refused here rather than failing the spawn of the run.
  if (value.includes('\0')) return 'contains a NUL character';
  if (!pattern.matches(value)) return 'does not match the definition’s pattern';
  return null;
}

/** 422: a well-formed request whose parameter the definition does not accept. */
export function paramRejected(name: string, reason: string): AppError {
  return new AppError('unprocessable', `params.${name}: ${reason}`, { field: `params.${name}` });
}
