/**
 * `verify` as text: one row per model variant (the verdict, the violated properties by name, how
 * many hold, states, time), grouped under a line per model, printed as each variant finishes;
 * then what did not meet its expectation. Column widths are fixed before the first row from the
 * variant names and the output width, so rows can be streamed.
 */
import { meetsExpectation } from '../explore/results/verdicts.js';
import { formatCount, formatDuration, replayCommand, wrapCommand } from './format.js';
import { cycleName } from './lock-order.js';
import type { Palette } from './palette.js';
import { runIncomplete, type RunReport } from './run.js';
import { mismatched, runStatus } from './status.js';
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

/** `verify` judges each variant against its expectations: an expected violation is no failure. */
const POLICY = { anyViolationFails: false } as const;
const met = (r: RunReport): boolean => runStatus(r, POLICY) === 'ok';

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
    { header: 'result', width: 11, nowrap: true },
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
  if (r.notRun) return cell('NOT REACHED', 'yellow');
  if (r.result.kind === 'error') return cell('ERROR', 'red');
  const st = runStatus(r, POLICY);
  if (st === 'ok') return cell('ok', 'green');
  if (st === 'incomplete' || (runIncomplete(r) && st !== 'violated')) return cell('INCOMPLETE', 'yellow');
  return cell('MISMATCH', 'red');
}

function holdsCell(r: RunReport): Cell {
  if (r.verdicts.length === 0 || r.notRun) return cell('—');
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
  if (r.result.kind === 'error' || r.notRun) return [cell('—'), cell('—')];
  return [cell(formatCount(r.result.stats.states)), cell(formatDuration(r.result.stats.timeMs))];
}

/** After the table: each unmet expectation with its replay command, lock-order cycles, the total. */
export function verifyFooter(runs: readonly RunReport[], p: Palette, width = 80): string {
  const lines: string[] = [];
  const say = (style: (s: string) => string, text: string) =>
    lines.push(...wrapAnsi(text, width, { hard: true }).split('\n').map(style));
  for (const r of runs) {
    if (met(r) || r.notRun) continue;
    const where = `${r.ctx.model}/${r.ctx.variant}`;
    if (r.result.kind === 'incomplete') say(p.yellow, `${where}: INCOMPLETE — ${INCOMPLETE_REASONS[r.result.reason]}`);
    for (const v of r.verdicts) {
      if (!mismatched(v) || r.result.kind === 'error') continue;
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
  const notRun = runs.filter((r) => r.notRun);
  if (notRun.length)
    say(
      p.yellow,
      `not reached (${INCOMPLETE_REASONS[notRun[0].notRun!]}): ${notRun.map((r) => `${r.ctx.model}/${r.ctx.variant}`).join(', ')}`,
    );
  lines.push(...wrapAnsi(totalLine(runs, p), width, { hard: true }).split('\n'));
  return lines.join('\n');
}

function totalLine(runs: readonly RunReport[], p: Palette): string {
  const total = runs.length;
  const statuses = runs.map((r) => runStatus(r, POLICY));
  const failed = statuses.filter((st) => st === 'violated' || st === 'mismatch' || st === 'error').length;
  const incomplete = statuses.filter((st) => st === 'incomplete').length;
  const notRun = runs.filter((r) => r.notRun).length;
  if (failed === 0 && incomplete === 0) return p.green(`all ${total} model variants meet their expectations`);
  if (failed)
    return p.red(
      `${failed} of ${total} model variants do not meet their expectations${incomplete ? `; ${incomplete} incomplete` : ''}`,
    );
  return p.yellow(
    `INCOMPLETE: ${incomplete} of ${total} model variants were not searched to the end (${notRun} not reached); nothing contradicts an expectation`,
  );
}
