/** A repeatable, comma-separable query parameter (`?state=a,b&state=c`) as its non-empty items. */
export const queryList = (v: string | readonly string[] | undefined): string[] =>
  (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]).flatMap((s) => s.split(',')).filter((s) => s !== '');
