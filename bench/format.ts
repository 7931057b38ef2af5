/** Number formatting and statistics shared by the benchmark tables. */

/** An integer with thousands separators: 1,234,567. */
export const fmt = (x: number) => x.toLocaleString('en-US');

/** Milliseconds: one decimal below 10, else rounded with separators. */
export const ms = (x: number) => (x < 10 ? x.toFixed(1) : fmt(Math.round(x)));

/** The median (the upper one for an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** a / b to two decimals, '–' when either is unknown or b is not positive. */
export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? '–' : (a / b).toFixed(2);
