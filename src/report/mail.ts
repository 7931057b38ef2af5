/**
 * A counterexample for linux-mm mail: plain ASCII text at most 72 columns wide, one column per
 * CPU (each thread that takes a step), time flowing down, as kernel threads draw races:
 *
 *     CPU0 (migrator)                   CPU1 (reader0)
 *     migrate_folio_unmap()
 *       folio_lock(src)
 *                                       handle_pte_fault()
 *                                         ptep_get_lockless
 *
 * A function line when a thread enters a function (its new call frames when the model gives
 * them), the operation indented under it, and the step's note as a comment. Below: the violated
 * property with its message, and the exact command that replays it. No colour, no box drawing.
 */
import type { Instance } from '../core/instantiate.js';
import type { Violation } from '../explore/results/result.js';
import wrapAnsi from 'wrap-ansi';
import { labelFunction } from '../core/annotations.js';
import { annotate, type AnnotatedStep } from './annotate.js';
import { instanceName, replayCommand, wrapCommand, type RunContext } from './format.js';

export const MAIL_WIDTH = 72;
const GAP = 2;

const ASCII: Readonly<Record<string, string>> = {
  '→': '->',
  '←': '<-',
  '…': '...',
  '—': '-',
  '–': '-',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '×': 'x',
  '·': '-',
  '✗': 'x',
  '∅': '(none)',
};

/** Mail-safe text: the usual typographic characters spelled in ASCII, anything else as `?`. */
export function toAscii(s: string): string {
  return [...s]
    .map((ch) => ASCII[ch] ?? ch)
    .join('')
    .replace(/[^\x20-\x7e\n]/g, '?');
}

/** Deepest indentation a call frame gets (one space per level, as linux-mm diagrams nest them). */
const MAX_DEPTH = 8;

/**
 * The lines of one step in its CPU's column: the frames it enters (one space deeper per level),
 * the operation under its function, the note as a comment. A label that names no function
 * (`CPU access: …`) is shown whole.
 */
/** The call frames of a step: its chain, else its label's function when the label names one, else none. */
function frames(st: Shown): readonly string[] {
  if (st.chain) return st.chain;
  const prefix = st.label.includes(':') ? st.label.slice(0, st.label.indexOf(':')).trim() : '';
  const fn = /^[A-Za-z_]\w*(\(.*\))?$/.test(prefix) ? labelFunction(st.label) : undefined;
  return fn ? [fn] : [];
}

/** What the column shows of a step, or of one kernel step of a merged step. */
type Shown = Pick<AnnotatedStep, 'label' | 'chain' | 'note'>;

/** The lines of a merged step's kernel steps are marked: `+` on its first line, `|` below. */
const GROUP = ['+ ', '| '] as const;
export const MAIL_PARTS_LEGEND =
  'Lines from a + down its | are the kernel steps of one atomic step (merged by the compiler).';

function stepLines(st: Shown, prev: Shown | undefined, w: number): string[] {
  const label = toAscii(st.label);
  const out: string[] = [];
  const put = (text: string, indent: number) =>
    out.push(
      ...wrapAnsi(text, Math.max(8, w - indent), { hard: true })
        .split('\n')
        .map((l) => ' '.repeat(indent) + l),
    );
  const chain = frames(st);
  // Narrow columns (many CPUs) nest less, to leave room for the text.
  const depth = (i: number) => Math.min(i, MAX_DEPTH, Math.max(0, Math.floor((w - 16) / 2)));
  let opIndent = 0;
  if (chain.length === 0) put(label, 0);
  else {
    const prevChain = prev ? frames(prev) : [];
    if (prevChain.join() !== chain.join()) {
      let common = 0;
      while (common < chain.length - 1 && prevChain[common] === chain[common]) common++;
      chain.slice(common).forEach((f, i) => put(`${f}()`, depth(common + i)));
    }
    opIndent = depth(chain.length - 1) + 2;
    put(label.slice(label.indexOf(':') + 1).trim(), opIndent);
  }
  if (st.note) put(`/* ${toAscii(st.note)} */`, opIndent + 2 * Number(chain.length === 0));
  return out;
}

/** The CPU headings, wrapped in their columns when narrow (`CPU2` over `(reclaim)`). */
function header(names: readonly string[], colW: number): string[][] {
  const cells = names.map((n) => wrapAnsi(n, colW, { hard: true }).split('\n'));
  const height = Math.max(...cells.map((c) => c.length));
  return Array.from({ length: height }, (_x, k) => cells.map((c) => c[k] ?? ''));
}

export function renderMail(v: Violation, ctx: RunContext, inst?: Instance): string {
  const a = annotate(v.trace, inst);
  const cpus = [...new Set(a.steps.map((s) => s.tid))].sort((x, y) => x - y);
  const n = Math.max(1, cpus.length);
  const colW = Math.floor((MAIL_WIDTH - GAP * (n - 1)) / n);
  const col = new Map(cpus.map((tid, i) => [tid, i]));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => (i < cells.length - 1 ? c.padEnd(colW + GAP) : c))
      .join('')
      .trimEnd();
  const lines: string[] = [
    ...wrapAnsi(toAscii(`${instanceName(ctx)}: ${v.property} violated`), MAIL_WIDTH, { hard: true }).split('\n'),
    '',
    ...header(
      cpus.map((tid, i) => toAscii(`CPU${i} (${a.threads[tid]})`)),
      colW,
    ).map(row),
    '',
  ];
  const last = new Map<number, Shown>();
  for (const st of a.steps) {
    const c = col.get(st.tid)!;
    const parts: readonly Shown[] = st.parts ?? [st];
    let mark = 0;
    for (const pt of parts) {
      const own = st.parts
        ? stepLines(pt, last.get(st.tid), colW - 2).map((l) => GROUP[mark++ === 0 ? 0 : 1] + l)
        : stepLines(pt, last.get(st.tid), colW);
      for (const l of own) {
        const cells = cpus.map(() => '');
        cells[c] = l;
        lines.push(row(cells));
      }
      last.set(st.tid, pt);
    }
  }
  if (a.steps.length === 0) lines.push('(no steps: the initial state violates it)');
  if (a.steps.some((st) => st.parts))
    lines.push('', ...wrapAnsi(MAIL_PARTS_LEGEND, MAIL_WIDTH, { hard: true }).split('\n'));
  const where = a.steps.length === 0 ? 'in the initial state' : `after step ${a.steps.length}`;
  lines.push(
    '',
    ...wrapAnsi(toAscii(`${v.property} (${v.kind}) is violated ${where}: ${v.message}`), MAIL_WIDTH, {
      hard: true,
    }).split('\n'),
    '',
    'Reproduce:',
    '',
    ...wrapCommand(toAscii(`  ${replayCommand(ctx, v.trace.schedule, v.property)}`), MAIL_WIDTH, '      '),
  );
  return lines.join('\n');
}

/** `--format mail`: every counterexample, or (none found) the verdict line, all mail-safe. */
export function renderMailReport(
  violations: readonly Violation[],
  ctx: RunContext,
  inst: Instance | undefined,
  summary: string,
): string {
  if (violations.length === 0)
    return toAscii(summary)
      .split('\n')
      .flatMap((l) => wrapAnsi(l, MAIL_WIDTH, { hard: true }).split('\n'))
      .join('\n');
  return violations.map((v) => renderMail(v, ctx, inst)).join('\n\n\n');
}
