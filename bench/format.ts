/** Number formatting and statistics shared by the benchmark tables. */

/** An integer with thousands separators: 1,234,567. */
export const fmt = (x: number) => x.toLocaleString('en-US');

/** Milliseconds: one decimal below 10, else rounded with separators. */
export const ms = (x: number) => (x < 10 ? x.toFixed(1) : fmt(Math.round(x)));

/** The median (the upper one for an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The median proper: the mean of the two middle values for an even count (for summaries). */
export const middle = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** a / b to two decimals, '–' when either is unknown or b is not positive. */
export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? '–' : (a / b).toFixed(2);
