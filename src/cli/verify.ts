/** `mmcheck verify`: the CI mode — every shipped model and variant against its expectations. */
import { errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { SearchResult } from '../explore/result.js';
import { formatCount, formatDuration, replayCommand } from '../report/format.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { runIncomplete, runOk, type RunReport } from '../report/run.js';
import { INCOMPLETE_REASONS } from '../report/summary.js';
import { cell, renderTable, type Cell } from '../report/table.js';
import { lockOrder } from '../analysis/lock-order.js';
import { cycleName } from '../report/lock-order.js';
import { choosePalette, type Io } from './io.js';
import { registry } from './load.js';
import { limits, type SearchArgs } from './options.js';
import { verdicts } from '../explore/verdicts.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, kindsOf, search, writeOutput } from './shared.js';

export interface VerifyArgs extends SearchArgs {
  readonly json?: boolean;
  readonly junit?: string;
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
}

function outcomes(r: RunReport): Cell {
  if (r.result.kind === 'error') return cell(`ERROR: ${r.result.message}`, 'red');
  const text = r.verdicts
    .map(
      (v) =>
        `${v.property}: ${v.outcome === 'violated' ? 'VIOLATED' : v.outcome}${v.outcome === v.expected ? '' : ` (expected ${v.expected})`}`,
    )
    .join(' · ');
  return cell(text, runOk(r) ? undefined : 'red');
}

/**
 * Exit code: 2 when some model cannot be built or throws, else 1 when some expectation is not
 * met or some search (or lock-order pass) is incomplete, else 0. Every model is checked and shown either way.
 */
export async function verifyCommand(a: VerifyArgs, io: Io): Promise<number> {
  const lim = limits(a);
  const runs: RunReport[] = [];
  for (const model of registry()) {
    for (const variant of Object.keys(model.variants)) {
      let result: SearchResult;
      let report: RunReport;
      try {
        const inst = instantiate(model, variant);
        result = search(io, inst, { ...lim, strategy: 'dfs', stopAtFirst: false });
        const lo = a['lock-order'] ? lockOrder(inst, lim) : undefined;
        report = {
          ctx: { model: model.name, variant, params: inst.params },
          result,
          verdicts: verdicts(inst, result),
          kinds: kindsOf(inst),
          ...(lo ? { lockOrder: lo } : {}),
        };
      } catch (e) {
        result = { kind: 'error', message: errorMessage(e), code: 'model-error' };
        report = { ctx: { model: model.name, variant, params: {} }, result, verdicts: [] };
      }
      runs.push(report);
    }
  }
  if (a.junit) writeOutput(io, a.junit, renderJunit(runs), 'JUnit');
  const errors = runs.filter((r) => r.result.kind === 'error');
  const allOk = runs.every(runOk);
  if (a.json) io.out(renderJson('verify', runs));
  else {
    const p = choosePalette(io, a.color !== false);
    const table = renderTable(
      [
        { header: 'model' },
        { header: 'variant' },
        { header: 'properties' },
        { header: 'result' },
        { header: 'states', align: 'right' },
        { header: 'time', align: 'right' },
      ],
      runs.map((r) => {
        const s = r.result.kind === 'error' ? undefined : r.result.stats;
        const status = runIncomplete(r)
          ? cell('INCOMPLETE', 'yellow')
          : r.result.kind === 'error'
            ? cell('ERROR', 'red')
            : runOk(r)
              ? cell('ok', 'green')
              : cell('MISMATCH', 'red');
        return [
          r.ctx.model,
          r.ctx.variant,
          outcomes(r),
          status,
          s ? formatCount(s.states) : '—',
          s ? formatDuration(s.timeMs) : '—',
        ];
      }),
      { palette: p },
    );
    const lines = [table, ''];
    for (const r of runs) {
      if (runOk(r)) continue;
      const where = `${r.ctx.model}/${r.ctx.variant}`;
      if (r.result.kind === 'incomplete')
        lines.push(p.yellow(`${where}: INCOMPLETE — ${INCOMPLETE_REASONS[r.result.reason]}`));
      for (const v of r.verdicts) {
        if (v.outcome === v.expected || r.result.kind === 'error') continue;
        lines.push(
          p.red(
            `${where}: ${v.property} expected ${v.expected}, got ${v.outcome}${v.violation ? `: ${v.violation.message}` : ''}`,
          ),
        );
        if (v.violation) lines.push(`  replay: ${replayCommand(r.ctx, v.violation.trace.schedule, v.property)}`);
      }
    }
    for (const r of runs) {
      const lo = r.lockOrder;
      if (!lo || (lo.cycles.length === 0 && lo.complete)) continue;
      const where = `${r.ctx.model}/${r.ctx.variant}`;
      if (!lo.complete)
        lines.push(p.yellow(`${where}: lock order INCOMPLETE (${lo.reason}): cycles below are a lower bound`));
      for (const c of lo.cycles) lines.push(p.magenta(`${where}: lock-order cycle ${cycleName(c)}`));
    }
    const total = runs.length;
    const bad = runs.filter((r) => !runOk(r)).length;
    lines.push(
      allOk
        ? p.green(`all ${total} model variants meet their expectations`)
        : p.red(`${bad} of ${total} model variants do not meet their expectations`),
    );
    io.out(lines.join('\n') + '\n');
  }
  for (const r of errors)
    io.err(`mmcheck: error: ${r.ctx.model}/${r.ctx.variant}: ${r.result.kind === 'error' ? r.result.message : ''}\n`);
  return errors.length ? EXIT_USAGE : allOk ? EXIT_OK : EXIT_FAIL;
}
