/**
 * Terminal styling for human-readable output: ANSI colour only on a terminal, never when piped,
 * with NO_COLOR set (https://no-color.org) or on a dumb terminal. Output must read the same
 * without colour, so colour only ever repeats what the text already says.
 */

export interface Style {
  readonly enabled: boolean;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** True when `stream` is a terminal and neither NO_COLOR (non-empty) nor TERM=dumb is set. */
export function colorEnabled(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

function sgr(enabled: boolean, open: number, close: number): (s: string) => string {
  return enabled ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    red: sgr(enabled, 31, 39),
    yellow: sgr(enabled, 33, 39),
    green: sgr(enabled, 32, 39),
    cyan: sgr(enabled, 36, 39),
    dim: sgr(enabled, 2, 22),
    bold: sgr(enabled, 1, 22),
  };
}

/** The style for process.stdout. */
export function stdoutStyle(): Style {
  return createStyle(colorEnabled(process.stdout));
}
