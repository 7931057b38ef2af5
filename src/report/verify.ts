/**
 * `verify` as text: one row per model variant (the verdict, the violated properties by name, how
 * many hold, states, time), grouped under a line per model, printed as each variant finishes;
 * then what did not meet its expectation. Column widths are fixed before the first row from the
 * variant names and the output width, so rows can be streamed.
 */
import { meetsExpectation } from '../explore/verdicts.js';
import { formatCount, formatDuration, replayCommand, wrapCommand } from './format.js';
import { cycleName } from './lock-order.js';
import type { Palette } from './palette.js';
import { runIncomplete, runOk, type RunReport } from './run.js';
import { INCOMPLETE_REASONS, renderVerdicts } from './summary.js';
import { cell, renderHeader, renderRow, tableLayout, type Cell, type Column, type TableLayout } from './table.js';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

export interface VerifyTableOptions {
  readonly palette: Palette;
  readonly width: number;
  /** Each variant's per-property verdicts under its row. */
  readonly verbose?: boolean;
}

/** The violated list gets its own column only when it has room for a long property name. */
const MIN_INLINE_VIOLATED = 34;
const INDENT = '  ';

export interface VerifyTable {
  readonly header: string;
  /** The row of one finished run (with its model's line before the model's first variant). */
  readonly row: (r: RunReport) => string;
}

export function verifyTable(variants: readonly string[], opts: VerifyTableOptions): VerifyTable {
  const p = opts.palette;
  const fixed: Column[] = [
    { header: 'variant', width: Math.min(Math.max(7, ...variants.map((v) => stringWidth(v))), 30) },
    { header: 'result', width: 10, nowrap: true },
    { header: 'holds', width: 5, align: 'right', nowrap: true },
    { header: 'states', width: 9, align: 'right', nowrap: true },
    { header: 'time', width: 9, align: 'right', nowrap: true },
  ];
  const used = stringWidth(INDENT) + fixed.reduce((a, c) => a + (c.width ?? 0) + 2, 0);
  const violatedW = opts.width - used;
  const inline = violatedW >= MIN_INLINE_VIOLATED;
  const columns = inline ? [...fixed.slice(0, 3), { header: 'violated', width: violatedW }, ...fixed.slice(3)] : fixed;
  const layout: TableLayout = tableLayout(columns, [], { palette: p, indent: INDENT });
  let model: string | undefined;
  return {
    header: renderHeader(layout),
    row: (r) => {
      const lines: string[] = [];
      if (r.ctx.model !== model) lines.push(p.bold(r.ctx.model));
      model = r.ctx.model;
      const v = violatedCell(r);
      const cells: Cell[] = [cell(r.ctx.variant), status(r), holdsCell(r), ...statsCells(r)];
      if (inline) cells.splice(3, 0, v);
      lines.push(renderRow(layout, cells));
      if (!inline && v.text)
        for (const l of wrapAnsi(`violated: ${v.text}`, opts.width - 6, { hard: true }).split('\n'))
          lines.push('      ' + (v.style ? p[v.style](l) : l));
      if (opts.verbose && r.verdicts.length)
        lines.push(
          renderVerdicts(r.verdicts, p, r.kinds)
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n'),
        );
      return lines.join('\n');
    },
  };
}

function status(r: RunReport): Cell {
  if (runIncomplete(r)) return cell('INCOMPLETE', 'yellow');
  if (r.result.kind === 'error') return cell('ERROR', 'red');
  return runOk(r) ? cell('ok', 'green') : cell('MISMATCH', 'red');
}

function holdsCell(r: RunReport): Cell {
  if (r.verdicts.length === 0) return cell('—');
  return cell(`${r.verdicts.filter((v) => v.outcome === 'holds').length}/${r.verdicts.length}`);
}

/** Violated properties by name; one not expected violated is marked. An error's message instead. */
function violatedCell(r: RunReport): Cell {
  if (r.result.kind === 'error') return cell(r.result.message, 'red');
  const names = r.verdicts
    .filter((v) => v.outcome === 'violated')
    .map((v) => (v.expected === 'violated' ? v.property : `${v.property} (unexpected)`));
  const missing = r.verdicts.filter((v) => v.outcome === 'holds' && v.expected === 'violated');
  const text = [...names, ...missing.map((v) => `not ${v.property} (expected violated)`)].join(', ');
  return cell(text, r.verdicts.every(meetsExpectation) ? undefined : 'red');
}

function statsCells(r: RunReport): Cell[] {
  if (r.result.kind === 'error') return [cell('—'), cell('—')];
  return [cell(formatCount(r.result.stats.states)), cell(formatDuration(r.result.stats.timeMs))];
}

/** After the table: each unmet expectation with its replay command, lock-order cycles, the total. */
export function verifyFooter(runs: readonly RunReport[], p: Palette, width = 80): string {
  const lines: string[] = [];
  const say = (style: (s: string) => string, text: string) =>
    lines.push(...wrapAnsi(text, width, { hard: true }).split('\n').map(style));
  for (const r of runs) {
    if (runOk(r)) continue;
    const where = `${r.ctx.model}/${r.ctx.variant}`;
    if (r.result.kind === 'incomplete') say(p.yellow, `${where}: INCOMPLETE — ${INCOMPLETE_REASONS[r.result.reason]}`);
    for (const v of r.verdicts) {
      if (v.outcome === v.expected || r.result.kind === 'error') continue;
      say(
        p.red,
        `${where}: ${v.property} expected ${v.expected}, got ${v.outcome}${v.violation ? `: ${v.violation.message}` : ''}`,
      );
      if (v.violation)
        lines.push(...wrapCommand(`  replay: ${replayCommand(r.ctx, v.violation.trace.schedule, v.property)}`, width));
    }
  }
  for (const r of runs) {
    const lo = r.lockOrder;
    if (!lo || (lo.cycles.length === 0 && lo.complete)) continue;
    const where = `${r.ctx.model}/${r.ctx.variant}`;
    if (!lo.complete) say(p.yellow, `${where}: lock order INCOMPLETE (${lo.reason}): cycles below are a lower bound`);
    for (const c of lo.cycles) say(p.magenta, `${where}: lock-order cycle ${cycleName(c)}`);
  }
  const bad = runs.filter((r) => !runOk(r)).length;
  lines.push(
    bad === 0
      ? p.green(`all ${runs.length} model variants meet their expectations`)
      : p.red(`${bad} of ${runs.length} model variants do not meet their expectations`),
  );
  return lines.join('\n');
}
