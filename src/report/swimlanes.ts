/**
 * Counterexamples as swimlanes: one column per thread, one row per step. The stepping thread's
 * column holds the step's label (`function: operation`), the last column the state it changed.
 * A step the compiler merged gives one row per kernel step (src/lang/parts.ts), bracketed in
 * its thread's column under the step's one number.
 */
import type { Instance } from '../core/instantiate.js';
import type { Trace, Violation } from '../explore/results/result.js';
import { annotate, chainText, type AnnotatedStep, type AnnotatedTrace } from './annotate.js';
import { replayCommand, wrapCommand, type RunContext } from './format.js';
import wrapAnsi from 'wrap-ansi';
import { paint, plainPalette, type Palette } from './palette.js';
import { pad, wrap } from './wrap.js';

export interface SwimlaneOptions {
  readonly palette?: Palette;
  /** Total width in characters (default 160; at least 40 is used). */
  readonly width?: number;
  /**
   * The instance the trace was found on: gives the steps their call chains and notes and the
   * changes the model's names (src/report/annotate.ts). Without it, changes are raw paths.
   */
  readonly inst?: Instance;
}

interface Row {
  readonly tid: number;
  /** The step's number in the schedule (on the first row of a merged step only). */
  readonly step?: number;
  /** Where the row sits in a merged step's bracket: its first, a middle or its last part. */
  readonly part?: 'first' | 'middle' | 'last';
  /** Lines of the stepping thread's cell: the call chain when it changed (dim), then the label. */
  readonly chain?: string;
  readonly label: string;
  readonly changes: readonly { text: string; style?: 'yellow' | 'dim' }[];
}

/** What a row shows of a step or of one part of a merged step. */
type Shown = Pick<AnnotatedStep, 'label' | 'chain' | 'note' | 'shown'>;

/**
 * Rows of a trace: one per step, or one per kernel step of a step the compiler merged; the chain
 * shown when it differs from the thread's previous step's.
 */
function rowsOf(a: AnnotatedTrace): Row[] {
  const last: (readonly string[] | undefined)[] = a.threads.map(() => undefined);
  const row = (tid: number, st: Shown) => {
    const prev = last[tid];
    last[tid] = st.chain;
    // A chain is shown when the step enters new frames: not for a return to a caller (the
    // label names the function) nor for a chain of one frame.
    const changed = st.chain !== undefined && st.chain.length > 1 && !(prev && isPrefix(st.chain, prev));
    return {
      tid,
      // Frames shared with the previous chain are elided (`… →`) when that chain was shown.
      ...(changed ? { chain: chainText(st.chain, prev && prev.length > 1 ? prev : []) } : {}),
      label: st.label,
      changes: [
        ...(st.note ? [{ text: st.note, style: 'yellow' as const }] : []),
        ...st.shown.map((c) => ({ text: c.text, ...(c.kind === 'bookkeeping' ? { style: 'dim' as const } : {}) })),
      ],
    };
  };
  return a.steps.flatMap((st, i): Row[] => {
    if (!st.parts) return [{ ...row(st.tid, st), step: i + 1 }];
    const n = st.parts.length;
    return st.parts.map((pt, k) => ({
      ...row(st.tid, pt),
      ...(k === 0 ? { step: i + 1 } : {}),
      part: k === 0 ? 'first' : k === n - 1 ? 'last' : 'middle',
    }));
  });
}

/** The bracket that groups a merged step's rows: the first line of a part, then the others. */
const BRACKET = { first: ['┌ ', '│ '], middle: ['├ ', '│ '], last: ['└ ', '  '] } as const;
const BRACKET_W = 2;

/** The legend under a trace with merged steps (docs/lang-reductions.md). */
export const PARTS_LEGEND = '┌ … └ one atomic step: kernel steps the compiler merged';

const SEP = ' │ ';
const CROSS = '─┼─';
const MIN_THREAD = 8;
const MIN_CHANGES = 16;

/** The swimlane table of a trace (no trailing newline). */
export function renderSwimlanes(trace: Trace, opts: SwimlaneOptions = {}): string {
  const p = opts.palette ?? plainPalette;
  const width = Math.max(40, opts.width ?? 160);
  // One lane per thread that takes a step (every thread when none does); idle ones are named below.
  const lanes = trace.steps.length
    ? [...new Set(trace.steps.map((st) => st.tid))].sort((a, b) => a - b)
    : trace.threads.map((_t, i) => i);
  const laneOf = new Map(lanes.map((tid, i) => [tid, i]));
  const threads = lanes.map((tid) => trace.threads[tid]);
  const idle = trace.threads.filter((_t, i) => !laneOf.has(i));
  const n = threads.length;
  const rows = rowsOf(annotate(trace, opts.inst)).map((r) => ({ ...r, tid: laneOf.get(r.tid)! }));
  const stepW = Math.max(1, String(trace.steps.length).length);

  const natural = threads.map((name, tid) =>
    Math.max(
      len(name),
      ...rows
        .filter((r) => r.tid === tid)
        .map((r) => Math.max(len(r.label), r.chain ? len(r.chain) : 0) + (r.part ? BRACKET_W : 0)),
      MIN_THREAD,
    ),
  );
  const changesNatural = Math.max(len('changes'), ...rows.flatMap((r) => r.changes.map((c) => len(c.text))));
  const fixed = stepW + SEP.length * (n + 1);
  let changesW = changesNatural;
  let threadW = natural.slice();
  if (fixed + sum(natural) + changesNatural > width) {
    const avail = width - fixed;
    changesW = Math.min(changesNatural, Math.max(MIN_CHANGES, Math.floor(avail * 0.3)));
    threadW = fill(natural, Math.max(avail - changesW, n * MIN_THREAD));
  }

  const lines: string[] = [];
  const emit = (
    stepCell: string,
    cells: string[][],
    changeLines: string[],
    style: (tid: number, s: string, line: number) => string,
    stepStyle: (s: string) => string,
  ) => {
    const height = Math.max(1, ...cells.map((c) => c.length), changeLines.length);
    for (let i = 0; i < height; i++) {
      let line = stepStyle(pad(i === 0 ? stepCell : '', stepW, 'right'));
      for (let t = 0; t < n; t++) line += p.dim(SEP) + style(t, pad(cells[t][i] ?? '', threadW[t]), i);
      const change = changeLines[i] ?? '';
      line += change ? p.dim(SEP) + change : p.dim(SEP.trimEnd());
      lines.push(line);
    }
  };

  emit(
    '#',
    threads.map((name, t) => wrap(name, threadW[t])),
    ['changes'],
    (_t, s) => p.bold(s),
    (s) => p.bold(s),
  );
  lines.push(
    p.dim(
      '─'.repeat(stepW) +
        threads.map((_n, t) => CROSS + '─'.repeat(threadW[t])).join('') +
        CROSS +
        '─'.repeat(changesW),
    ),
  );
  rows.forEach((r, i) => {
    const last = i === rows.length - 1;
    const w = threadW[r.tid] - (r.part ? BRACKET_W : 0);
    const chainLines = r.chain ? wrap(r.chain, w).length : 0;
    const own = [...(r.chain ? wrap(r.chain, w) : []), ...wrap(r.label, w)];
    const changeLines = r.changes.flatMap((c) => wrap(c.text, changesW).map((l) => paint(p, c.style, l)));
    // A merged step's bracket runs down the left of its thread's cell, over every line of its rows.
    const height = Math.max(1, own.length, changeLines.length);
    const bracket = r.part ? BRACKET[r.part] : undefined;
    const cell = bracket
      ? Array.from(
          { length: r.part === 'last' ? own.length : height },
          (_x, k) => bracket[k === 0 ? 0 : 1] + (own[k] ?? ''),
        )
      : own;
    const cells = threads.map((_n, t) => (t === r.tid ? cell : []));
    const paintOwn = (s: string, line: number) => (line < chainLines ? p.dim(s) : last ? p.bold(p.red(s)) : p.cyan(s));
    emit(
      r.step === undefined ? '' : String(r.step),
      cells,
      changeLines,
      (t, s, line) =>
        t !== r.tid
          ? s
          : bracket
            ? p.dim(s.slice(0, BRACKET_W)) + paintOwn(s.slice(BRACKET_W), line)
            : paintOwn(s, line),
      (s) => p.dim(s),
    );
  });
  if (rows.length === 0) lines.push(p.dim('(no steps: the initial state)'));
  if (rows.some((r) => r.part)) lines.push(...wrap(PARTS_LEGEND, width).map((l) => p.dim(l)));
  if (idle.length) lines.push(p.dim(`(no step taken by ${idle.join(', ')})`));
  return lines.join('\n');
}

/**
 * A violation in full: the swimlanes, the violated property (kind and message), the schedule
 * and the exact command that replays it.
 */
export function renderCounterexample(v: Violation, ctx: RunContext, opts: SwimlaneOptions = {}): string {
  const p = opts.palette ?? plainPalette;
  const steps = v.trace.steps.length;
  const where = steps === 0 ? 'in the initial state' : `after step ${steps}`;
  const width = Math.max(40, opts.width ?? 160);
  const said = wrapAnsi(`${p.red(p.bold('✗ ' + v.property))} (${v.kind}) violated ${where}: ${v.message}`, width - 2, {
    hard: true,
  })
    .split('\n')
    .map((l, i) => (i === 0 ? l : '  ' + l));
  return [
    renderSwimlanes(v.trace, opts),
    '',
    ...said,
    `  schedule: ${v.trace.schedule || '(empty)'}`,
    ...wrapCommand(`  replay:   ${replayCommand(ctx, v.trace.schedule, v.property)}`, width, '      '),
  ].join('\n');
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((f, i) => b[i] === f);
}

function len(s: string): number {
  return [...s].length;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Share `total` among columns, none above its natural width, the narrow ones first. */
function fill(natural: readonly number[], total: number): number[] {
  const out = natural.map(() => MIN_THREAD);
  let left = total - MIN_THREAD * natural.length;
  let open = natural.map((_w, i) => i).filter((i) => natural[i] > MIN_THREAD);
  while (left > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      const add = Math.min(share, natural[i] - out[i], left);
      out[i] += add;
      left -= add;
    }
    open = open.filter((i) => out[i] < natural[i]);
  }
  return out;
}
