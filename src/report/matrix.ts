/**
 * The compare matrix (variants × properties, then statistics and cost columns) at a width. When
 * the table with full property names does not fit, the verdicts go under short keys (P1, P2, …)
 * with compact cells and a legend, and the statistics and costs get a table of their own.
 */
import wrapAnsi from 'wrap-ansi';
import type { Palette } from './palette.js';
import { naturalWidth, renderTable, type Cell, type CellInput, type Column } from './table.js';

export interface MatrixSpec {
  /** The row label column (`variant`) and its values. */
  readonly label: Column;
  readonly labels: readonly string[];
  /** Columns right after the label, in the verdict table and the statistics table (compare's topology). */
  readonly lead?: readonly { readonly column: Column; readonly cells: readonly CellInput[] }[];
  /** One column per property: its name and one cell per row. */
  readonly props: readonly { readonly name: string; readonly cells: readonly Cell[] }[];
  /** Statistics and cost columns, one cell per row. */
  readonly rest: readonly { readonly column: Column; readonly cells: readonly CellInput[] }[];
  readonly palette: Palette;
  readonly width: number;
}

/** `VIOLATED (6 steps) *` → `✗6*`, `holds` → `✓`, `unknown` → `?`. */
export function compactOutcome(c: Cell): Cell {
  const star = c.text.endsWith(' *') ? '*' : '';
  const t = star ? c.text.slice(0, -2) : c.text;
  const m = /^VIOLATED \((\S+) steps(, \S+ alone)?\)$/.exec(t);
  const text = m
    ? `✗${m[1]}${m[2] ? '¹' : ''}`
    : t === 'holds'
      ? '✓'
      : t === 'unknown'
        ? '?'
        : t === 'VIOLATED'
          ? '✗'
          : t;
  return { ...c, text: text + star };
}

export const COMPACT_LEGEND =
  '✓ holds · ✗n violated (shortest counterexample: n steps; ¹ by one thread alone) · ? unknown · * differs from the expectation';

export function renderMatrix(spec: MatrixSpec): string {
  const { label, labels, props, palette: p, width } = spec;
  const lead = spec.lead ?? [];
  const rest = [...lead, ...spec.rest];
  const columns = [
    label,
    ...lead.map((r) => r.column),
    ...props.map((q) => ({ header: q.name })),
    ...spec.rest.map((r) => r.column),
  ];
  const rows = labels.map((l, i) => [
    l,
    ...lead.map((r) => r.cells[i]),
    ...props.map((q) => q.cells[i]),
    ...spec.rest.map((r) => r.cells[i]),
  ]);
  if (naturalWidth(columns, rows) <= width) return renderTable(columns, rows, { palette: p, width });
  const keys = props.map((_q, i) => `P${i + 1}`);
  const verdicts = renderTable(
    [label, ...lead.map((r) => r.column), ...keys.map((k) => ({ header: k, nowrap: true }))],
    labels.map((l, i) => [l, ...lead.map((r) => r.cells[i]), ...props.map((q) => compactOutcome(q.cells[i]))]),
    { palette: p, width },
  );
  const kw = Math.max(...keys.map((k) => k.length));
  const legend = props.map((q, i) => `  ${keys[i].padEnd(kw)}  ${q.name}`);
  const stats = renderTable(
    [label, ...rest.map((r) => r.column)],
    labels.map((l, i) => [l, ...rest.map((r) => r.cells[i])]),
    { palette: p, width },
  );
  const key = wrapAnsi(COMPACT_LEGEND, width - 2, { hard: true })
    .split('\n')
    .map((l) => p.dim(`  ${l}`));
  return [verdicts, '', ...legend, ...key, '', stats].join('\n');
}
