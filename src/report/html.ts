/**
 * One self-contained HTML page (inline CSS, no script, nothing fetched at view time): the
 * verdicts (a check's property table or compare's variant × property matrix) and each
 * counterexample as swimlanes — one lane per thread, one row per step, the step in its thread's
 * lane (call chain, label, the note saying which branch it took) and the state it changed beside
 * it — with the violated property and the command that replays it. A step the compiler merged
 * gives one row per kernel step (its parts: src/lang/parts.ts), bracketed, under its one number.
 */
import type { Instance } from '../core/instantiate.js';
import type { Violation } from '../explore/results/result.js';
import { meetsExpectation, type PropertyVerdict } from '../explore/results/verdicts.js';
import { annotate, chainText, type AnnotatedStep } from './annotate.js';
import { instanceName, replayCommand, type RunContext } from './format.js';
import type { Style } from './palette.js';
import type { Cell, CellInput } from './table.js';

export interface HtmlCounterexample {
  readonly violation: Violation;
  readonly ctx: RunContext;
  readonly inst?: Instance;
  readonly heading?: string;
}

export interface HtmlMatrix {
  readonly corner: string;
  readonly columns: readonly string[];
  readonly rows: readonly { readonly label: string; readonly cells: readonly CellInput[] }[];
}

export interface HtmlReport {
  readonly title: string;
  readonly verdicts?: readonly PropertyVerdict[];
  readonly matrix?: HtmlMatrix;
  readonly notes?: readonly string[];
  readonly counterexamples: readonly HtmlCounterexample[];
}

const ESC: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]);

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:2em}
code,pre,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:3px 8px;vertical-align:top;text-align:left}
table.verdicts td,table.verdicts th,table.matrix td,table.matrix th{border:1px solid #ddd}
table.matrix td{white-space:nowrap}
.green{color:#16794a}.red{color:#b3261e;font-weight:600}.yellow{color:#8a6100}.magenta{color:#8e2a8e}.dim{color:#777}.cyan{color:#006a80}
table.lanes{border:1px solid #bbb}
table.lanes th{background:#f3f3f6;border-bottom:2px solid #bbb;position:sticky;top:0}
table.lanes th.lane{min-width:14em}
table.lanes td{border-bottom:1px solid #eee}
table.lanes td.lane{border-left:3px solid #d7dbe8;min-width:14em}
table.lanes td.lane.active{background:#eef4ff;border-left-color:#3a6fd8}
table.lanes tr.last td.lane.active{background:#fde8e6;border-left-color:#b3261e}
table.lanes td.n{color:#777;text-align:right}
table.lanes td.changes{border-left:2px solid #bbb;min-width:16em}
table.lanes tr.part td.lane.active{box-shadow:inset 4px 0 #8e2a8e}
table.lanes tr.part.first td.lane.active{border-top:2px solid #8e2a8e}
table.lanes tr.part.end td.lane.active{border-bottom:2px solid #8e2a8e}
.chain{color:#666;font-size:11.5px}
.note{color:#8a6100}
.bookkeeping{color:#888;font-style:italic}
.violation{border-left:4px solid #b3261e;background:#fdf1f0;padding:.5em .8em;margin:.6em 0}
pre.replay{background:#f6f6f8;padding:.5em .8em;white-space:pre-wrap;word-break:break-all}
`;

function cellHtml(c: CellInput | undefined): string {
  if (c === undefined) return '<td></td>';
  const x: Cell = typeof c === 'object' ? c : { text: String(c) };
  return `<td${x.style ? ` class="${x.style}"` : ''}>${esc(x.text)}</td>`;
}

function verdictTable(vs: readonly PropertyVerdict[]): string {
  const style = (v: PropertyVerdict): Style =>
    v.outcome === 'holds' ? 'green' : v.outcome === 'violated' ? 'red' : 'yellow';
  const rows = vs.map(
    (v) =>
      `<tr><td class="mono">${esc(v.property)}</td><td class="${style(v)}">${esc(v.outcome)}</td><td>${esc(v.expected)}</td>${
        meetsExpectation(v) ? '<td class="green">ok</td>' : '<td class="red">MISMATCH</td>'
      }</tr>`,
  );
  return `<table class="verdicts"><tr><th>property</th><th>outcome</th><th>expected</th><th></th></tr>${rows.join('')}</table>`;
}

function matrixTable(m: HtmlMatrix): string {
  const head = `<tr><th>${esc(m.corner)}</th>${m.columns.map((c) => `<th class="mono">${esc(c)}</th>`).join('')}</tr>`;
  const rows = m.rows.map((r) => `<tr><th class="mono">${esc(r.label)}</th>${r.cells.map(cellHtml).join('')}</tr>`);
  return `<table class="matrix">${head}${rows.join('')}</table>`;
}

/** The swimlanes of one counterexample, its violated property and its replay command. */
export function swimlanesHtml(c: HtmlCounterexample): string {
  const v = c.violation;
  const a = annotate(v.trace, c.inst);
  const last: (readonly string[] | undefined)[] = a.threads.map(() => undefined);
  const head = `<tr><th>#</th>${a.threads.map((t) => `<th class="lane">${esc(t)}</th>`).join('')}<th>changed state</th></tr>`;
  type Shown = Pick<AnnotatedStep, 'label' | 'chain' | 'note' | 'shown'>;
  // One row per step, or per kernel step of a step the compiler merged (bracketed by `part`).
  const row = (tid: number, st: Shown, n: number | undefined, cls: string) => {
    const prev = last[tid];
    last[tid] = st.chain;
    const chain =
      st.chain && st.chain.length > 1 && (!prev || prev.join() !== st.chain.join())
        ? `<div class="chain">${esc(chainText(st.chain, prev && prev.length > 1 ? prev : []))}</div>`
        : '';
    const lanes = a.threads
      .map((_t, t) =>
        t === tid
          ? `<td class="lane active">${chain}<div class="label mono">${esc(st.label)}</div></td>`
          : '<td class="lane"></td>',
      )
      .join('');
    const changes = [
      ...(st.note ? [`<div class="note">${esc(st.note)}</div>`] : []),
      ...st.shown.map((s) => `<div class="mono${s.kind === 'bookkeeping' ? ' bookkeeping' : ''}">${esc(s.text)}</div>`),
    ].join('');
    return `<tr class="step${cls}"><td class="n">${n ?? ''}</td>${lanes}<td class="changes">${changes}</td></tr>`;
  };
  const end = (i: number) => (i === a.steps.length - 1 ? ' last' : '');
  const rows = a.steps.flatMap((st, i) =>
    st.parts
      ? st.parts.map((pt, k, all) =>
          row(
            st.tid,
            pt,
            k === 0 ? i + 1 : undefined,
            ` part${k === 0 ? ' first' : ''}${k === all.length - 1 ? ` end${end(i)}` : ''}`,
          ),
        )
      : [row(st.tid, st, i + 1, end(i))],
  );
  const legend = a.steps.some((st) => st.parts)
    ? [
        `<p class="dim legend">${esc('Bracketed rows: the kernel steps of one atomic step (merged by the compiler).')}</p>`,
      ]
    : [];
  const where = a.steps.length === 0 ? 'in the initial state' : `after step ${a.steps.length}`;
  return [
    `<section class="counterexample">`,
    `<h2>${esc(c.heading ?? `${instanceName(c.ctx)}: ${v.property}`)}</h2>`,
    `<table class="lanes">${head}${rows.join('')}</table>`,
    ...legend,
    `<div class="violation"><strong class="property">✗ ${esc(v.property)}</strong> (${esc(v.kind)}) violated ${esc(where)}: ${esc(v.message)}</div>`,
    `<pre class="replay">${esc(replayCommand(c.ctx, v.trace.schedule, v.property))}</pre>`,
    `</section>`,
  ].join('\n');
}

export function renderHtml(r: HtmlReport): string {
  const body = [
    `<h1>${esc(r.title)}</h1>`,
    ...(r.matrix ? [matrixTable(r.matrix)] : []),
    ...(r.verdicts ? [verdictTable(r.verdicts)] : []),
    ...(r.notes ?? []).map((n) => `<p class="dim">${esc(n)}</p>`),
    ...(r.counterexamples.length === 0 ? ['<p>No counterexample.</p>'] : r.counterexamples.map(swimlanesHtml)),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
