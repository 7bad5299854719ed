/**
 * What the CLI writes to: stdout and stderr, each knowing whether it is a terminal. Colour and
 * the progress line appear only on a terminal, and never with NO_COLOR set (no-color.org).
 */
export interface Terminal {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour on stdout. */
  readonly color: boolean;
  /** stderr is a terminal: a progress line may be drawn there. */
  readonly interactiveErr: boolean;
}

export function processTerminal(env: Readonly<Record<string, string | undefined>>): Terminal {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    color: process.stdout.isTTY === true && !noColor && env['TERM'] !== 'dumb',
    interactiveErr: process.stderr.isTTY === true && env['TERM'] !== 'dumb',
  };
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Style = keyof typeof codes;

export const paint = (on: boolean, style: Style, text: string): string => (on ? `\u001b[${codes[style]}m${text}\u001b[0m` : text);

/** A value as --json prints it: indented, one trailing newline. */
export const jsonText = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
