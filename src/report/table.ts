/**
 * Plain text tables: columns declared once (header, alignment), rows of cells that may carry a
 * palette style. Widths are measured on the plain text, so colour never breaks alignment.
 * Commands add columns by appending to the column list (compare's cost columns, for one).
 */
import { paint, plainPalette, type Palette, type Style } from './palette.js';
import { pad } from './wrap.js';

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
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
}

export function cell(text: string | number, style?: Style): Cell {
  return { text: String(text), style };
}

const toCell = (c: CellInput | undefined): Cell =>
  c === undefined ? { text: '' } : typeof c === 'object' ? c : { text: String(c) };
const width = (s: string) => [...s].length;

/** Render a table (no trailing newline). Rows shorter than the column list are padded. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[],
  opts: TableOptions = {},
): string {
  const p = opts.palette ?? plainPalette;
  const indent = opts.indent ?? '';
  const gap = opts.gap ?? '  ';
  const cells = rows.map((r) => columns.map((_c, i) => toCell(r[i])));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i].text))));
  const line = (parts: string[]) => (indent + parts.join(gap)).trimEnd();
  const out = [
    line(columns.map((c, i) => p.bold(pad(c.header, widths[i], c.align)))),
    line(columns.map((_c, i) => p.dim('─'.repeat(widths[i])))),
  ];
  for (const r of cells)
    out.push(line(columns.map((c, i) => paint(p, r[i].style, pad(r[i].text, widths[i], c.align)))));
  return out.join('\n');
}
