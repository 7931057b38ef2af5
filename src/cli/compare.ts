/** `mmcheck compare`: every variant × every property of one model, in one table. */
import { ModelError } from '../core/errors.js';
import { instantiate, type Instance } from '../core/instantiate.js';
import type { SearchResult } from '../explore/result.js';
import { soloCost, type PathCost } from '../explore/cost.js';
import { lockOrder, type LockOrderReport } from '../analysis/lock-order.js';
import { cycleName } from '../report/lock-order.js';
import type { CostScenario, Model } from '../core/model.js';
import { verdicts, type PropertyVerdict } from '../explore/verdicts.js';
import { formatCount, formatDuration, instanceName } from '../report/format.js';
import type { Palette } from '../report/palette.js';
import { runOk, type RunReport } from '../report/run.js';
import { cell, renderTable, type CellInput, type Column } from '../report/table.js';
import { choosePalette, type Io } from './io.js';
import { loadModel } from './load.js';
import { UsageError } from './errors.js';
import { limits, parseParams, type SearchArgs } from './options.js';
import { EXIT_FAIL, EXIT_OK, kindsOf, search, shortest } from './shared.js';

export interface CompareArgs extends SearchArgs {
  readonly model: string;
  readonly param?: unknown;
  readonly color?: boolean;
  readonly baseline?: unknown;
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
  const v = typeof raw === 'string' ? raw : JSON.stringify(raw);
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
  /** The lockdep-style pass, for a model that declares a lock-order column. */
  readonly lockOrder?: LockOrderReport;
}

/** A column of the compare table; later columns (costs) are appended to COMPARE_COLUMNS. */
export interface CompareColumn {
  readonly column: Column;
  readonly value: (row: CompareRow) => CellInput;
}

export function outcomeCell(v: PropertyVerdict | undefined, steps: string | undefined): CellInput {
  if (!v) return cell('—', 'dim');
  const differs = v.outcome !== v.expected;
  const text = v.outcome === 'violated' ? `VIOLATED (${steps ?? '?'} steps)` : v.outcome;
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
        ),
    })),
    { column: { header: 'states', align: 'right' }, value: (r) => formatCount(stats(r.report.result)?.states ?? 0) },
    { column: { header: 'time', align: 'right' }, value: (r) => formatDuration(stats(r.report.result)?.timeMs ?? 0) },
  ];
}

export function renderCompare(rows: readonly CompareRow[], p: Palette, extra: readonly CompareColumn[] = []): string {
  const props: string[] = [];
  for (const r of rows) for (const q of r.inst.properties) if (!props.includes(q.name)) props.push(q.name);
  const cols = [...compareColumns(props), ...extra];
  return renderTable(
    cols.map((c) => c.column),
    rows.map((r) => cols.map((c) => c.value(r))),
    { palette: p },
  );
}

/** Exit code: 1 when some outcome differs from its expectation or a search is incomplete, else 0. */
export async function compareCommand(a: CompareArgs, io: Io): Promise<number> {
  const params = parseParams(a.param);
  const lim = limits(a);
  const { model, ref } = await loadModel(a.model, io.cwd);
  const base = baselineVariant(model, a.baseline);
  const rows: CompareRow[] = [];
  for (const variant of Object.keys(model.variants)) {
    const inst = instantiate(model, variant, params);
    const result = search(io, inst, { ...lim, strategy: 'dfs', stopAtFirst: false });
    if (result.kind === 'error') throw new ModelError(result.message, result.code);
    const vs = verdicts(inst, result);
    const steps: Record<string, string> = {};
    for (const v of vs) {
      if (v.outcome !== 'violated') continue;
      const bfs = shortest(io, inst, v.property, lim);
      steps[v.property] = bfs ? `${bfs.trace.steps.length}` : `≤${v.violation!.trace.steps.length}`;
    }
    const lo = model.lockOrder
      ? lockOrder(instantiate(model, variant, { ...params, ...model.lockOrder.params }), lim)
      : undefined;
    rows.push({
      inst,
      steps,
      ...(lo ? { lockOrder: lo } : {}),
      report: {
        ctx: { model: ref, variant, params: inst.params },
        result,
        verdicts: vs,
        kinds: kindsOf(inst),
        ...(lo ? { lockOrder: lo } : {}),
      },
    });
  }
  const p = choosePalette(io, a.color !== false);
  const first = rows[0];
  const lines = [
    p.bold(`${instanceName({ ...first.report.ctx, variant: '*' })} — ${model.title}`),
    '',
    renderCompare(rows, p, [...lockOrderColumns(model), ...costColumns(model, params, base)]),
  ];
  if (model.lockOrder) lines.push('', ...lockOrderNotes(model, rows).map((l) => p.dim(l)));
  const incomplete = rows.filter((r) => r.report.result.kind === 'incomplete');
  lines.push(
    '',
    p.dim(
      "VIOLATED (n steps): n = length of the shortest counterexample (breadth-first; ≤n: the breadth-first search hit a limit, n is the length of the one found); * = differs from the variant's expectation",
    ),
  );
  if (model.costs?.length)
    lines.push(
      p.dim(
        `cost: lock acquisitions / atomic RMWs on the path run alone (releases not counted); (+n/-n) = more/fewer than the baseline variant, ${base}${a.baseline === undefined ? ' (the first variant; --baseline v to change)' : ''}`,
      ),
    );
  if (incomplete.length)
    lines.push(
      p.yellow(
        `INCOMPLETE: ${incomplete.map((r) => r.inst.variant).join(', ')} (limits reached; "unknown" is not "holds")`,
      ),
    );
  io.out(lines.join('\n') + '\n');
  return rows.every((r) => runOk(r.report)) ? EXIT_OK : EXIT_FAIL;
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
  const cost = (variant: string, sc: CostScenario): PathCost =>
    soloCost(instantiate(model, variant, { ...params, ...sc.params }), sc.thread);
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
