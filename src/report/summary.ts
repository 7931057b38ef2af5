/** One search result as text: the verdict, the statistics, and per-property verdicts. */
import type { AutoRun, IncompleteReason, SearchResult, Stats } from '../explore/results/result.js';
import { strategyNamed } from '../explore/strategies/registry.js';
import { meetsExpectation, type PropertyVerdict } from '../explore/results/verdicts.js';
import { formatBytes, formatCount, formatDuration, formatRate, instanceName, type RunContext } from './format.js';
import { plainPalette, type Palette } from './palette.js';
import { cell, renderTable } from './table.js';
import wrapAnsi from 'wrap-ansi';

export const INCOMPLETE_REASONS: Readonly<Record<IncompleteReason, string>> = {
  'max-states': 'the state limit (--max-states) was reached',
  'max-depth': 'the depth limit (--max-depth) cut some schedules short',
  time: 'the time limit (--time-limit) was reached',
  memory: 'the memory bound (--max-memory) was reached',
  signal: 'the run was interrupted (a signal: Ctrl-C or SIGTERM)',
  'preemption-bound': 'schedules with more preemptions than the bound were not explored',
  sampled: 'random walk: only sampled schedules were run',
};

/**
 * The verdict line and statistics of one result (no trailing newline), each line wrapped to
 * `width` (continuations indented) when one is given.
 */
export function renderSummary(
  result: SearchResult,
  ctx: RunContext,
  palette: Palette = plainPalette,
  width = Infinity,
): string {
  const text = summaryLines(result, ctx, palette);
  if (!Number.isFinite(width)) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      const indent = /^ */.exec(line)![0].length + 2;
      return wrapAnsi(line, width - indent, { hard: true, trim: false })
        .split('\n')
        .map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l).trimEnd());
    })
    .join('\n');
}

function summaryLines(result: SearchResult, ctx: RunContext, palette: Palette): string {
  const p = palette;
  const name = p.bold(instanceName(ctx));
  if (result.kind === 'error') return `${p.red(p.bold('ERROR'))}       ${name}: ${result.message}`;
  const lines: string[] = [];
  const strategy = result.stats.strategy;
  switch (result.kind) {
    case 'pass':
      lines.push(`${p.green(p.bold('PASS'))}        ${name}: no property violated (exhaustive ${strategy} search)`);
      break;
    case 'violation': {
      const props = [...new Set(result.violations.map((v) => v.property))].join(', ');
      const scope = result.exhaustive
        ? `exhaustive ${strategy} search`
        : `${strategy} search stopped at the first violation`;
      lines.push(`${p.red(p.bold('VIOLATED'))}    ${name}: ${props} (${scope})`);
      break;
    }
    case 'incomplete': {
      const found =
        result.violations.length > 0
          ? `; found violated: ${[...new Set(result.violations.map((v) => v.property))].join(', ')}`
          : '';
      lines.push(
        `${p.yellow(p.bold('INCOMPLETE'))}  ${name}: ${INCOMPLETE_REASONS[result.reason]} (${result.reason}); not a proof — unviolated properties are unknown${found}`,
      );
      break;
    }
  }
  lines.push(...renderStats(result.stats).map((l) => '  ' + p.dim(l)));
  return lines.join('\n');
}

/** The statistics of a search as one or two lines. */
export function renderStats(s: Stats): string[] {
  // What the strategy's row says the search counts (all of it for a name no row has).
  const reports = strategyNamed(s.strategy)?.reports ?? { states: true, bytesPerState: true, depth: true };
  const main = [
    ...(reports.states ? [`states ${formatCount(s.states)}`] : []),
    `transitions ${formatCount(s.transitions)}`,
    ...(reports.depth ? [`max depth ${s.maxDepth}`] : []),
    `time ${formatDuration(s.timeMs)}`,
    ...(reports.states ? [`${formatRate(s.states, s.timeMs)} states/s`] : []),
    ...(reports.bytesPerState ? [`${formatBytes(s.bytesPerState)}/state`] : []),
    ...(s.peakRssBytes !== undefined ? [`peak rss ${formatBytes(s.peakRssBytes)}`] : []),
    `peak heap ${formatBytes(s.peakHeapBytes)}`,
  ];
  const extra: string[] = [];
  if (s.reductionRatio !== undefined) extra.push(`reduction ×${s.reductionRatio.toFixed(2)} vs naive`);
  if (s.symmetry !== undefined) extra.push(`symmetry ${s.symmetry ? 'on' : 'off'}`);
  if (s.sleepBlocked !== undefined) extra.push(`sleep-blocked ${formatCount(s.sleepBlocked)}`);
  if (s.executions !== undefined) extra.push(`executions ${formatCount(s.executions)}`);
  if (s.preemptions !== undefined) extra.push(`preemptions explored ≤ ${s.preemptions}`);
  if (s.collisionBound !== undefined && s.collisionBound > 1e-9)
    extra.push(`hash collision chance ≤ ${s.collisionBound.toExponential(1)}`);
  if (s.engine !== undefined) extra.push(`${s.engine} engine`);
  if (s.auto !== undefined) extra.push(autoChoice(s.strategy, s.auto));
  return extra.length ? [main.join(' · '), extra.join(' · ')] : [main.join(' · ')];
}

/** What `--strategy auto` ran: `auto: naive, after dfs cut at 5,000 states` (strategies/auto.ts). */
function autoChoice(chosen: string, cut: readonly AutoRun[]): string {
  if (cut.length === 0) return `auto: ${chosen}`;
  const runs = cut.map((r) => `${r.strategy} ${formatCount(r.budget)}`).join(', ');
  return `auto: ${chosen}, after runs cut at their state budgets (${runs})`;
}

/** Per-property verdicts against the model's expectations, as a table. */
export function renderVerdicts(
  verdicts: readonly PropertyVerdict[],
  palette: Palette = plainPalette,
  kinds: Readonly<Record<string, string>> = {},
): string {
  return renderTable(
    [{ header: 'property' }, { header: 'kind' }, { header: 'outcome' }, { header: 'expected' }, { header: '' }],
    verdicts.map((v) => [
      v.property,
      kinds[v.property] ?? v.violation?.kind ?? '',
      cell(
        v.outcome === 'violated' ? 'VIOLATED' : v.outcome,
        v.outcome === 'holds' ? 'green' : v.outcome === 'violated' ? 'red' : 'yellow',
      ),
      v.expected,
      // An incomplete search leaves a property unknown: that is incompleteness, not a mismatch.
      meetsExpectation(v)
        ? cell('ok', 'green')
        : v.outcome === 'unknown'
          ? cell('unknown', 'yellow')
          : cell('MISMATCH', 'red'),
    ]),
    { palette, indent: '  ' },
  );
}
