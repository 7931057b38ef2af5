/** `mmcheck compare`: every variant × every property of one model, in one table. */
import { ModelError } from '../core/errors.js';
import { instantiate, type Instance } from '../core/instantiate.js';
import type { SearchResult } from '../explore/results/result.js';
import { soloCost, type PathCost } from '../explore/system/cost.js';
import { instantiateWith, NO_REDUCTIONS } from '../lang/model.js';
import { lockOrder, type LockOrderReport } from '../analysis/lock-order.js';
import { cycleName } from '../report/lock-order.js';
import type { CostScenario, Model } from '../core/model.js';
import { verdicts, type PropertyVerdict } from '../explore/results/verdicts.js';
import { formatCount, formatDuration, instanceName } from '../report/format.js';
import type { Palette } from '../report/palette.js';
import type { RunReport } from '../report/run.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { exitCodeOf, overallStatus, runStatus } from '../report/status.js';
import { annotate, modelFile } from './annotate.js';
import { checkOutputs, emitJson, jsonOnStdout, type OutputArgs } from './outputs.js';
import { renderMatrix } from '../report/matrix.js';
import { cell, type Cell, type CellInput, type Column } from '../report/table.js';
import wrapAnsi from 'wrap-ansi';
import { choosePalette, outputWidth, type Io } from './io.js';
import { loadModel } from './load.js';
import { UsageError } from './errors.js';
import { parseParams, rawText, type SearchArgs } from './options.js';
import { kindsOf, notRunReport, search, session, shortest, VARIANT_SEARCH, withFile, writeOutput } from './shared.js';
import { exhausted, lockOrderLimits } from './control.js';
import { INCOMPLETE_REASONS } from '../report/summary.js';
import type { Violation } from '../explore/results/result.js';
import { renderHtml } from '../report/html.js';

/** `compare` judges each variant against its expectations: an expected violation is no failure. */
const POLICY = { anyViolationFails: false } as const;

export interface CompareArgs extends SearchArgs, OutputArgs {
  readonly model: string;
  readonly param?: unknown;
  readonly color?: boolean;
  readonly baseline?: unknown;
  readonly width?: unknown;
  readonly html?: string;
}

/**
 * The variant costs are compared with: `--baseline v`, else the model's first declared variant
 * (by convention the upstream / unfixed code the other variants change).
 */
export function baselineVariant(model: Model, raw: unknown): string {
  const known = Object.keys(model.variants);
  if (raw === undefined) return known[0];
  if (Array.isArray(raw)) throw new UsageError(`--baseline given ${raw.length} times (give one variant)`);
  if (!model.costs?.length) throw new UsageError(`--baseline: model '${model.name}' has no cost scenarios to compare`);
  const v = rawText(raw);
  if (!known.includes(v))
    throw new UsageError(`--baseline: model '${model.name}' has no variant '${v}' (known: ${known.join(', ')})`);
  return v;
}

/**
 * One variant's row: its run and, per violated property, the length of its shortest
 * counterexample, or `≤n` (the length of the one the search found) when the breadth-first rerun
 * hit a limit.
 */
export interface CompareRow {
  readonly inst: Instance;
  readonly report: RunReport;
  readonly steps: Readonly<Record<string, string>>;
  /** The shortest counterexample per violated property, when the breadth-first rerun found one. */
  readonly shortest?: Readonly<Record<string, Violation>>;
  /** The lockdep-style pass, for a model that declares a lock-order column. */
  readonly lockOrder?: LockOrderReport;
}

/** A column of the compare table; later columns (costs) are appended to COMPARE_COLUMNS. */
export interface CompareColumn {
  readonly column: Column;
  readonly value: (row: CompareRow) => CellInput;
}

/** The thread a counterexample runs when it runs only one: a single-thread bug, not a race. */
export function soloThread(v: Violation | undefined): string | undefined {
  const threads = new Set(v?.trace.steps.map((st) => st.thread));
  return threads.size === 1 ? [...threads][0] : undefined;
}

export function outcomeCell(v: PropertyVerdict | undefined, steps: string | undefined, solo?: string): CellInput {
  if (!v) return cell('—', 'dim');
  const differs = v.outcome !== v.expected;
  const alone = solo ? `, ${solo} alone` : '';
  const text = v.outcome === 'violated' ? `VIOLATED (${steps ?? '?'} steps${alone})` : v.outcome;
  const style = differs ? (v.outcome === 'unknown' ? 'yellow' : 'red') : v.outcome === 'holds' ? 'green' : 'magenta';
  return cell(differs ? `${text} *` : text, style);
}

const stats = (r: SearchResult) => (r.kind === 'error' ? undefined : r.stats);

export function compareColumns(properties: readonly string[]): CompareColumn[] {
  return [
    { column: { header: 'variant' }, value: (r) => r.inst.variant },
    ...properties.map((name): CompareColumn => ({
      column: { header: name },
      value: (r) =>
        outcomeCell(
          r.report.verdicts.find((v) => v.property === name),
          r.steps[name],
          soloThread(r.shortest?.[name]),
        ),
    })),
    { column: { header: 'states', align: 'right' }, value: (r) => formatCount(stats(r.report.result)?.states ?? 0) },
    { column: { header: 'time', align: 'right' }, value: (r) => formatDuration(stats(r.report.result)?.timeMs ?? 0) },
  ];
}

export function renderCompare(
  rows: readonly CompareRow[],
  p: Palette,
  extra: readonly CompareColumn[] = [],
  width = Infinity,
): string {
  const props: string[] = [];
  for (const r of rows) for (const q of r.inst.properties) if (!props.includes(q.name)) props.push(q.name);
  const [label, ...cols] = [...compareColumns(props), ...extra];
  const cells = (c: CompareColumn) => rows.map((r) => c.value(r));
  const topo = topology(rows);
  return renderMatrix({
    label: label.column,
    labels: rows.map((r) => r.inst.variant),
    lead: topo.length ? [{ column: { header: 'topology' }, cells: rows.map((r) => paramText(r, topo)) }] : [],
    props: props.map((name, i) => ({ name, cells: cells(cols[i]).map((x) => x as Cell) })),
    rest: cols.slice(props.length).map((c) => ({ column: c.column, cells: cells(c) })),
    palette: p,
    width,
  });
}

/** The parameters in which the compared runs differ (`--param mms=1,2`): the topology column. */
export function topology(rows: readonly CompareRow[]): string[] {
  const first = rows[0]?.inst.params ?? {};
  return Object.keys(first).filter((k) => rows.some((r) => r.inst.params[k] !== first[k]));
}
const paramText = (r: CompareRow, keys: readonly string[]) => keys.map((k) => `${k}=${r.inst.params[k]}`).join(' ');

/**
 * `--param NAME=a,b,…` (compare only): every variant runs in each combination of the listed
 * values, one row per variant and topology.
 */
export function paramSets(raw: unknown): Record<string, number>[] {
  let sets: unknown[][] = [[]];
  const items: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const item of items) {
    const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(-?\d+(?:\s*,\s*-?\d+)+)\s*$/.exec(String(item));
    const values: unknown[] = m ? m[2].split(',').map((v) => `${m[1]}=${v.trim()}`) : [item];
    sets = sets.flatMap((set) => values.map((v) => [...set, v]));
  }
  return sets.map((set) => parseParams(set));
}

/**
 * Exit code: 1 when some verdict differs from its expectation, else 3 when a search is
 * incomplete, else 0 (2 on a usage or model error).
 */
export async function compareCommand(a: CompareArgs, io: Io): Promise<number> {
  const sets = paramSets(a.param);
  const params = sets[0];
  const s = session(io, a);
  checkOutputs(io, a);
  const { model, ref, file } = await loadModel(a.model, io.cwd);
  const base = baselineVariant(model, a.baseline);
  const rows: CompareRow[] = [];
  const runs = sets.flatMap((set) => Object.keys(model.variants).map((variant) => ({ variant, set })));
  for (const { variant, set } of runs) {
    s.progress.step(`compare: ${rows.length} of ${runs.length} runs done; next ${variant}`);
    const inst = instantiate(model, variant, set);
    const ctx = { model: ref, variant, params: inst.params };
    const late = exhausted(s.control);
    if (late) {
      rows.push({ inst, steps: {}, report: notRunReport(ctx, inst, late, VARIANT_SEARCH) });
      continue;
    }
    const result = search(s, inst, { strategy: VARIANT_SEARCH, stopAtFirst: false });
    if (result.kind === 'error') throw new ModelError(result.message, result.code);
    const vs = verdicts(inst, result);
    const steps: Record<string, string> = {};
    const traces: Record<string, Violation> = {};
    for (const v of vs) {
      if (v.outcome !== 'violated') continue;
      const bfs = shortest(s, inst, v.property);
      steps[v.property] = bfs ? `${bfs.trace.steps.length}` : `≤${v.violation!.trace.steps.length}`;
      const best = bfs ?? v.violation;
      if (best) traces[v.property] = best;
    }
    const lo = model.lockOrder
      ? lockOrder(instantiate(model, variant, { ...set, ...model.lockOrder.params }), lockOrderLimits(s.control))
      : undefined;
    rows.push({
      inst,
      steps,
      shortest: traces,
      ...(lo ? { lockOrder: lo } : {}),
      report: {
        ctx,
        result,
        verdicts: vs,
        kinds: kindsOf(inst),
        ...(lo ? { lockOrder: lo } : {}),
        ...withFile(modelFile(io, model.name, file)),
      },
    });
  }
  s.progress.clear();
  const reports = rows.map((r) => r.report);
  const code = exitCodeOf(overallStatus(reports.map((r) => runStatus(r, POLICY))));
  if (a.junit) writeOutput(io, a.junit, renderJunit(reports), 'JUnit');
  emitJson(io, a, renderJson('compare', reports, POLICY));
  if (a.html !== undefined)
    writeOutput(
      io,
      a.html,
      compareHtml(rows, costColumns(model, params, base), `${model.name} — ${model.title}`),
      'HTML',
    );
  if (!jsonOnStdout(a)) printCompare(io, a, model, rows, params, base);
  annotate(io, reports, POLICY, jsonOnStdout(a));
  return code;
}

function printCompare(
  io: Io,
  a: CompareArgs,
  model: Model,
  rows: readonly CompareRow[],
  params: Readonly<Record<string, number>>,
  base: string,
): void {
  const p = choosePalette(io, a.color !== false);
  const width = outputWidth(io, a.width);
  const first = rows[0];
  const wrapTo = (text: string) => wrapAnsi(text, width, { hard: true });
  const lines = [
    wrapTo(`${p.bold(instanceName({ ...first.report.ctx, variant: '*' }))} — ${model.title}`),
    '',
    renderCompare(rows, p, [...lockOrderColumns(model), ...costColumns(model, params, base)], width),
  ];
  if (model.lockOrder) lines.push('', ...lockOrderNotes(model, rows).map((l) => p.dim(wrapTo(l))));
  const solo = rows.flatMap((r) =>
    Object.entries(r.shortest ?? {}).flatMap(([q, v]) => {
      const t = soloThread(v);
      return t
        ? [`${[r.inst.variant, paramText(r, topology(rows))].filter(Boolean).join(' ')}: ${q} (${t} alone)`]
        : [];
    }),
  );
  if (solo.length)
    lines.push(
      '',
      p.dim(
        wrapTo(
          `single-thread bug (the shortest counterexample runs one thread: no interleaving is needed, it is not a race): ${solo.join('; ')}`,
        ),
      ),
    );
  const incomplete = rows.filter((r) => r.report.result.kind === 'incomplete');
  lines.push(
    '',
    p.dim(
      wrapTo(
        "VIOLATED (n steps): n = length of the shortest counterexample (breadth-first; ≤n: the breadth-first search hit a limit, n is the length of the one found); * = differs from the variant's expectation",
      ),
    ),
  );
  if (model.costs?.length)
    lines.push(
      p.dim(
        wrapTo(
          `cost: lock acquisitions / atomic RMWs on the path run alone (releases not counted); (+n/-n) = more/fewer than the baseline variant, ${base}${a.baseline === undefined ? ' (the first variant; --baseline v to change)' : ''}`,
        ),
      ),
    );
  if (incomplete.length)
    lines.push(
      p.yellow(
        wrapTo(
          `INCOMPLETE (“unknown” is not “holds”): ${incomplete.map((r) => `${r.inst.variant} (${r.report.notRun ? `not reached: ${INCOMPLETE_REASONS[r.report.notRun]}` : r.report.result.kind === 'incomplete' ? INCOMPLETE_REASONS[r.report.result.reason] : ''})`).join('; ')}`,
        ),
      ),
    );
  io.out(lines.join('\n') + '\n');
}

/**
 * One column per cost scenario of the model: locks / atomics of that path, and the change from
 * the baseline variant's (whatever the order of the rows).
 */
export function costColumns(
  model: Model,
  params: Readonly<Record<string, number>>,
  baseline = Object.keys(model.variants)[0],
): CompareColumn[] {
  const scenarios = model.costs ?? [];
  // The kernel path's cost, one step per kernel operation: before the compiler merges any
  // (a merged locked section would count as one lock and hide its atomics).
  const cost = (variant: string, sc: CostScenario): PathCost =>
    soloCost(instantiateWith(model, NO_REDUCTIONS, variant, { ...params, ...sc.params }), sc.thread);
  return scenarios.map((sc) => {
    const b = cost(baseline, sc);
    return {
      column: { header: `${sc.name} cost`, align: 'right' },
      value: (row: CompareRow) => {
        const c = cost(row.inst.variant, sc);
        const delta = [
          c.locks - b.locks ? `${signed(c.locks - b.locks)} lock` : '',
          c.atomics - b.atomics ? `${signed(c.atomics - b.atomics)} atomic` : '',
        ]
          .filter(Boolean)
          .join(', ');
        return cell(`${c.locks} / ${c.atomics}${delta ? ` (${delta})` : ''}`, delta ? 'yellow' : undefined);
      },
    };
  });
}

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);

/** `--html`: the matrix and every variant's shortest counterexamples as swimlanes, one page. */
export function compareHtml(rows: readonly CompareRow[], extra: readonly CompareColumn[], title: string): string {
  const props: string[] = [];
  for (const r of rows) for (const q of r.inst.properties) if (!props.includes(q.name)) props.push(q.name);
  const [, ...cols] = [...compareColumns(props), ...extra];
  return renderHtml({
    title,
    matrix: {
      corner: 'variant',
      columns: cols.map((c) => c.column.header),
      rows: rows.map((r) => ({
        label: [r.inst.variant, paramText(r, topology(rows))].filter(Boolean).join(' '),
        cells: cols.map((c) => c.value(r)),
      })),
    },
    notes: [
      "VIOLATED (n steps): n = length of the shortest counterexample; * = differs from the variant's expectation",
    ],
    counterexamples: rows.flatMap((r) =>
      Object.values(r.shortest ?? {}).map((v) => ({
        violation: v,
        ctx: r.report.ctx,
        inst: r.inst,
        heading: `${r.inst.variant}: ${v.property} (${v.trace.steps.length} steps)`,
      })),
    ),
  });
}

/** The `lock order` column: how many cycles the lockdep-style pass reports (a lockdep splat). */
export function lockOrderColumns(model: Model): CompareColumn[] {
  if (!model.lockOrder) return [];
  return [
    {
      column: { header: 'lock order' },
      value: (row: CompareRow) => {
        const lo = row.lockOrder;
        if (!lo) return cell('—', 'dim');
        const n = lo.cycles.length;
        const text = n ? `${n} cycle${n > 1 ? 's' : ''}` : 'no cycle';
        return lo.complete ? cell(text, n ? 'magenta' : 'green') : cell(`${text} (INCOMPLETE)`, 'yellow');
      },
    },
  ];
}

const NOTED_CYCLES = 3;

/** Under the table: the pass's parameters, and each variant's first cycles by name. */
export function lockOrderNotes(model: Model, rows: readonly CompareRow[]): string[] {
  const over = Object.entries(model.lockOrder?.params ?? {}).map(([k, v]) => `${k}=${v}`);
  const lines = [
    `lock order: cycles of the lockdep-style pass (what lockdep would splat on; deadlock-free says whether a wait closes one)${over.length ? `, run with ${over.join(', ')}` : ''}:`,
  ];
  for (const r of rows) {
    const cycles = r.lockOrder?.cycles ?? [];
    for (const c of cycles.slice(0, NOTED_CYCLES)) lines.push(`  ${r.inst.variant}: ${cycleName(c)}`);
    if (cycles.length > NOTED_CYCLES)
      lines.push(
        `  ${r.inst.variant}: … ${cycles.length - NOTED_CYCLES} more (check --variant ${r.inst.variant} --lock-order)`,
      );
  }
  return lines;
}
