/**
 * Counterexamples as swimlanes: one column per thread, one row per step. The stepping thread's
 * column holds the step's label (`function: operation`), the last column the state it changed.
 */
import type { Trace, Violation } from '../explore/result.js';
import { formatChanges, replayCommand, type RunContext } from './format.js';
import { plainPalette, type Palette } from './palette.js';
import { pad, wrap } from './wrap.js';

export interface SwimlaneOptions {
  readonly palette?: Palette;
  /** Total width in characters (default 160; at least 40 is used). */
  readonly width?: number;
}

const SEP = ' │ ';
const CROSS = '─┼─';
const MIN_THREAD = 8;
const MIN_CHANGES = 16;

/** The swimlane table of a trace (no trailing newline). */
export function renderSwimlanes(trace: Trace, opts: SwimlaneOptions = {}): string {
  const p = opts.palette ?? plainPalette;
  const width = Math.max(40, opts.width ?? 160);
  const n = trace.threads.length;
  const rows = trace.steps.map((st) => ({
    tid: st.tid,
    label: st.label,
    changes: formatChanges(st.changes, st.thread),
  }));
  const stepW = Math.max(1, String(trace.steps.length).length);

  const natural = trace.threads.map((name, tid) =>
    Math.max(len(name), ...rows.filter((r) => r.tid === tid).map((r) => len(r.label)), MIN_THREAD),
  );
  const changesNatural = Math.max(len('changes'), ...rows.flatMap((r) => r.changes.map(len)));
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
    style: (tid: number, s: string) => string,
    stepStyle: (s: string) => string,
  ) => {
    const height = Math.max(1, ...cells.map((c) => c.length), changeLines.length);
    for (let i = 0; i < height; i++) {
      let line = stepStyle(pad(i === 0 ? stepCell : '', stepW, 'right'));
      for (let t = 0; t < n; t++) line += p.dim(SEP) + style(t, pad(cells[t][i] ?? '', threadW[t]));
      const change = changeLines[i] ?? '';
      line += change ? p.dim(SEP) + change : p.dim(SEP.trimEnd());
      lines.push(line);
    }
  };

  emit(
    '#',
    trace.threads.map((name, t) => wrap(name, threadW[t])),
    ['changes'],
    (_t, s) => p.bold(s),
    (s) => p.bold(s),
  );
  lines.push(
    p.dim(
      '─'.repeat(stepW) +
        trace.threads.map((_n, t) => CROSS + '─'.repeat(threadW[t])).join('') +
        CROSS +
        '─'.repeat(changesW),
    ),
  );
  rows.forEach((r, i) => {
    const last = i === rows.length - 1;
    const cells = trace.threads.map((_n, t) => (t === r.tid ? wrap(r.label, threadW[t]) : []));
    const changeLines = r.changes.flatMap((c) => wrap(c, changesW));
    emit(
      String(i + 1),
      cells,
      changeLines,
      (t, s) => (t !== r.tid ? s : last ? p.bold(p.red(s)) : p.cyan(s)),
      (s) => p.dim(s),
    );
  });
  if (rows.length === 0) lines.push(p.dim('(no steps: the initial state)'));
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
  return [
    renderSwimlanes(v.trace, opts),
    '',
    `${p.red(p.bold('✗ ' + v.property))} (${v.kind}) violated ${where}: ${v.message}`,
    `  schedule: ${v.trace.schedule || '(empty)'}`,
    `  replay:   ${replayCommand(ctx, v.trace.schedule, v.property)}`,
  ].join('\n');
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
