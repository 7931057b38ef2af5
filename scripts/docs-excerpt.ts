/**
 * Excerpts of a quoted counterexample, for docs that show a few steps of a long trace: a marker
 * `<!-- mmcheck: <command> ; steps 33-42 -->` keeps the table's header, the rows of steps 33 to
 * 42 and everything after the table (the violation, schedule and replay lines);
 * `; result` keeps only what follows the table. Rows are the lines that start with a step
 * number before a `│`; lines that start with `│` continue the row above.
 */
const ROW = /^\s*(\d+)\s*│/;
const TABLE = /│/;

export type Excerpt =
  | { readonly kind: 'all' }
  | { readonly kind: 'result' }
  | { readonly kind: 'steps'; readonly ranges: readonly (readonly [number, number])[] };

/** `steps 1,34-35` or `result`; undefined (no `;` part) is the whole quote. Null: not an excerpt spec. */
export function parseExcerpt(spec: string | undefined): Excerpt | null {
  if (spec === undefined) return { kind: 'all' };
  if (spec.trim() === 'result') return { kind: 'result' };
  const m = /^steps\s+(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$/.exec(spec.trim());
  if (!m) return null;
  const ranges = m[1].split(',').map((r): [number, number] => {
    const [a, b] = r.split('-').map(Number);
    return [a, b ?? a];
  });
  return { kind: 'steps', ranges };
}

/** The excerpt of a quoted counterexample; null when it has no table or no row in the ranges. */
export function cut(text: string, e: Excerpt): string | null {
  if (e.kind === 'all') return text;
  const lines = text.split('\n');
  const first = lines.findIndex((l) => ROW.test(l));
  let last = lines.length - 1;
  while (last >= 0 && !TABLE.test(lines[last])) last--;
  if (first < 0) return null;
  const tail = lines.slice(last + 1);
  if (e.kind === 'result') {
    while (tail.length > 0 && tail[0] === '') tail.shift();
    return tail.length > 0 ? tail.join('\n') : null;
  }
  const rows: string[] = [];
  let keep = false;
  for (const l of lines.slice(first, last + 1)) {
    const m = ROW.exec(l);
    if (m) keep = e.ranges.some(([a, b]) => Number(m[1]) >= a && Number(m[1]) <= b);
    if (keep) rows.push(l);
  }
  return rows.length > 0 ? [...lines.slice(0, first), ...rows, ...tail].join('\n') : null;
}
