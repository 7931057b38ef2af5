/**
 * Colour for reports, injected: report functions take a Palette and never decide on their own
 * whether to colour. The CLI picks `chalkPalette` (stdout is a TTY, no --no-color, no NO_COLOR)
 * or `plainPalette`. Every style maps a string to a string of the same visible width.
 */
import { Chalk } from 'chalk';

export interface Palette {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly magenta: (s: string) => string;
}

export type Style = keyof Palette;

const id = (s: string) => s;

export const plainPalette: Palette = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, magenta: id };

const c = new Chalk({ level: 1 });

export const chalkPalette: Palette = {
  bold: (s) => c.bold(s),
  dim: (s) => c.dim(s),
  red: (s) => c.red(s),
  green: (s) => c.green(s),
  yellow: (s) => c.yellow(s),
  cyan: (s) => c.cyan(s),
  magenta: (s) => c.magenta(s),
};

/** Apply an optional style. */
export function paint(p: Palette, style: Style | undefined, s: string): string {
  return style && s ? p[style](s) : s;
}

/** Visible width of a string that may hold ANSI colour codes. */
export function visibleWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}
