/** Flag parsing shared by the paged listings (`list`, `audit`). */
import { UsageError } from './exit-codes.ts';

/** Repeated or comma-separated values, each one of `known`; `noun` names them in the error. */
export function parseChoices<T extends string>(values: readonly string[] | undefined, known: readonly T[], noun: string): T[] {
  const chosen = (values ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  const unknown = chosen.filter((v) => !(known as readonly string[]).includes(v));
  if (unknown.length > 0) throw new UsageError(`unknown ${noun} ${unknown.join(', ')}; ${noun}s are ${known.join(', ')}`);
  return chosen as T[];
}

/** `--limit`, a whole number from 1 to `max`, or undefined when not given. */
export function parseLimit(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const limit = Number(raw);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= max)) throw new UsageError(`--limit must be a whole number from 1 to ${max}`);
  return limit;
}
