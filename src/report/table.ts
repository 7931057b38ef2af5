/**
 * Plain text tables that fit a width: columns declared once (header, alignment, whether they may
 * wrap), rows of cells that may carry a palette style. Measuring (string-width) and wrapping
 * (wrap-ansi) are the libraries'; this file only decides the column widths: natural widths when
 * they fit, else the widest wrapping columns give way first. Colour is applied after wrapping, so
 * it never breaks alignment. `tableLayout` + `renderRow` render rows one at a time (a streamed
 * table), `renderTable` a whole one.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { paint, plainPalette, type Palette, type Style } from './palette.js';

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Never wrapped (numbers, verdicts): the column keeps its natural width. */
  readonly nowrap?: boolean;
  /** Fixed width (for streamed tables whose rows are not known in advance). */
  readonly width?: number;
}

export interface Cell {
  readonly text: string;
  readonly style?: Style;
}

export type CellInput = string | number | Cell;

export interface TableOptions {
  readonly palette?: Palette;
  /** Prefix of every line (default none). */
  readonly indent?: string;
  /** Between columns (default two spaces). */
  readonly gap?: string;
  /** Total width the table may take, indent included (default: unlimited). */
  readonly width?: number;
}

export interface TableLayout {
  readonly columns: readonly Column[];
  readonly widths: readonly number[];
  readonly palette: Palette;
  readonly indent: string;
  readonly gap: string;
}

/** Narrowest a wrapping column is made (or its natural width, when smaller). */
const MIN_WRAP = 8;

export function cell(text: string | number, style?: Style): Cell {
  return { text: String(text), style };
}

const toCell = (c: CellInput | undefined): Cell =>
  c === undefined ? { text: '' } : typeof c === 'object' ? c : { text: String(c) };

/** Column widths for these rows within `opts.width`. */
export function tableLayout(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[] = [],
  opts: TableOptions = {},
): TableLayout {
  const indent = opts.indent ?? '';
  const gap = opts.gap ?? '  ';
  const natural = columns.map(
    (c, i) => c.width ?? Math.max(stringWidth(c.header), ...rows.map((r) => stringWidth(toCell(r[i]).text))),
  );
  const budget =
    opts.width === undefined
      ? Infinity
      : opts.width - stringWidth(indent) - stringWidth(gap) * Math.max(0, columns.length - 1);
  return {
    columns,
    widths: fit(columns, natural, budget),
    palette: opts.palette ?? plainPalette,
    indent,
    gap,
  };
}

/**
 * Natural widths when they fit; else every wrapping column is capped at the largest width c
 * that makes the total fit (never below its minimum): the widest columns give way first.
 */
function fit(columns: readonly Column[], natural: readonly number[], budget: number): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= budget) return natural.slice();
  const shrinks = (i: number) => !columns[i].nowrap && columns[i].width === undefined;
  const min = natural.map((w, i) => (shrinks(i) ? Math.min(w, MIN_WRAP) : w));
  const at = (c: number) => natural.map((w, i) => (shrinks(i) ? Math.max(min[i], Math.min(w, c)) : w));
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(at(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return at(lo);
}

/** Wrap a cell to its column: at spaces, then after a hyphen or underscore, else hard. */
function cellLines(text: string, width: number): string[] {
  if (text === '') return [''];
  const w = Math.max(1, width);
  const soft = text
    .split(' ')
    .map((word) => (stringWidth(word) > w ? breakAtJoints(word, w) : word))
    .join(' ');
  return wrapAnsi(soft, w, { hard: true, trim: true }).split('\n');
}

/**
 * A word wider than the column, cut after its last `-` or `_` that fits (a variant name
 * `vma-anon-vma-lock` at 14 columns: `vma-anon-vma-` / `lock`, not `vma-anon-vma-l` / `ock`);
 * the pieces are joined by line breaks, and a piece with no joint is left to the hard wrap.
 */
function breakAtJoints(word: string, width: number): string {
  const pieces: string[] = [];
  let rest = word;
  while (stringWidth(rest) > width) {
    const head = rest.slice(0, width);
    const cut = Math.max(head.lastIndexOf('-'), head.lastIndexOf('_')) + 1;
    if (cut <= 0) break;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return [...pieces, rest].join('\n');
}

function padTo(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const n = width - stringWidth(s);
  if (n <= 0) return s;
  return align === 'left' ? s + ' '.repeat(n) : ' '.repeat(n) + s;
}

/** One row (possibly several lines when cells wrap), no trailing newline. */
export function renderRow(layout: TableLayout, row: readonly CellInput[]): string {
  const { columns, widths, palette: p, indent, gap } = layout;
  const cells = columns.map((_c, i) => toCell(row[i]));
  const wrapped = cells.map((c, i) => cellLines(c.text, widths[i]));
  const height = Math.max(1, ...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let k = 0; k < height; k++) {
    const parts = columns.map((c, i) => paint(p, cells[i].style, padTo(wrapped[i][k] ?? '', widths[i], c.align)));
    lines.push((indent + parts.join(gap)).trimEnd());
  }
  return lines.join('\n');
}

/** The header and its rule, no trailing newline. */
export function renderHeader(layout: TableLayout): string {
  const { columns, widths, palette: p, indent, gap } = layout;
  const head = renderRow(
    { ...layout, palette: plainPalette },
    columns.map((c) => c.header),
  )
    .split('\n')
    .map((l) => p.bold(l));
  const rule = (indent + widths.map((w) => p.dim('─'.repeat(w))).join(gap)).trimEnd();
  return [...head, rule].join('\n');
}

/** Render a table (no trailing newline). Rows shorter than the column list are padded. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[],
  opts: TableOptions = {},
): string {
  const layout = tableLayout(columns, rows, opts);
  return [renderHeader(layout), ...rows.map((r) => renderRow(layout, r))].join('\n');
}

/** The width a table of these columns and rows takes when nothing wraps. */
export function naturalWidth(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[],
  opts: TableOptions = {},
): number {
  const l = tableLayout(columns, rows, { ...opts, width: undefined });
  return stringWidth(l.indent) + l.widths.reduce((a, b) => a + b, 0) + stringWidth(l.gap) * (l.widths.length - 1);
}
