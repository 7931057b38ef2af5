/** `mmcheck verify`: the CI mode — every shipped model and variant against its expectations. */
import { errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { SearchResult } from '../explore/result.js';
import { formatCount, formatDuration, replayCommand } from '../report/format.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { runIncomplete, runOk, type RunReport } from '../report/run.js';
import { exitCodeOf, mismatched, overallStatus, runStatus } from '../report/status.js';
import { annotate, modelFile } from './annotate.js';
import { exhausted, lockOrderLimits } from './control.js';
import { checkOutputs, emitJson, jsonOnStdout, type OutputArgs } from './outputs.js';
import { INCOMPLETE_REASONS } from '../report/summary.js';
import { cell, renderTable, type Cell } from '../report/table.js';
import { lockOrder } from '../analysis/lock-order.js';
import { cycleName } from '../report/lock-order.js';
import { choosePalette, type Io } from './io.js';
import { registry } from './load.js';
import type { SearchArgs } from './options.js';
import { verdicts } from '../explore/verdicts.js';
import { kindsOf, notRunReport, search, session, withFile, writeOutput } from './shared.js';

/** `verify` judges each variant against its expectations: an expected violation is no failure. */
const POLICY = { anyViolationFails: false } as const;

export interface VerifyArgs extends SearchArgs, OutputArgs {
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
}

function outcomes(r: RunReport): Cell {
  if (r.result.kind === 'error') return cell(`ERROR: ${r.result.message}`, 'red');
  const text = r.verdicts
    .map(
      (v) =>
        `${v.property}: ${v.outcome === 'violated' ? 'VIOLATED' : v.outcome}${mismatched(v) ? ` (expected ${v.expected})` : ''}`,
    )
    .join(' · ');
  const status = runStatus(r, POLICY);
  return cell(text, status === 'ok' ? undefined : status === 'incomplete' ? 'yellow' : 'red');
}

/**
 * Exit code: 2 when some model cannot be built or throws, else 1 when some verdict differs from
 * its expectation, else 3 when some search (or lock-order pass) is incomplete or was not reached
 * (`--time-limit` is for the whole run; Ctrl-C), else 0. Every model is shown either way.
 */
export function verifyCommand(a: VerifyArgs, io: Io): Promise<number> {
  return Promise.resolve().then(() => verifyAll(a, io));
}

function verifyAll(a: VerifyArgs, io: Io): number {
  const s = session(io, a);
  checkOutputs(io, a);
  const runs: RunReport[] = [];
  const total = registry().reduce((n, m) => n + Object.keys(m.variants).length, 0);
  for (const model of registry()) {
    for (const variant of Object.keys(model.variants)) {
      s.progress.step(`verify: ${runs.length} of ${total} variants done; next ${model.name}/${variant}`);
      let result: SearchResult;
      let report: RunReport;
      try {
        const inst = instantiate(model, variant);
        const late = exhausted(s.control);
        if (late) {
          runs.push({
            ...notRunReport({ model: model.name, variant, params: inst.params }, inst, late),
            ...withFile(modelFile(io, model.name)),
          });
          continue;
        }
        result = search(s, inst, { strategy: 'dfs', stopAtFirst: false });
        const lo = a['lock-order'] ? lockOrder(inst, lockOrderLimits(s.control)) : undefined;
        report = {
          ctx: { model: model.name, variant, params: inst.params },
          result,
          verdicts: verdicts(inst, result),
          kinds: kindsOf(inst),
          ...(lo ? { lockOrder: lo } : {}),
          ...withFile(modelFile(io, model.name)),
        };
      } catch (e) {
        result = { kind: 'error', message: errorMessage(e), code: 'model-error' };
        report = {
          ctx: { model: model.name, variant, params: {} },
          result,
          verdicts: [],
          ...withFile(modelFile(io, model.name)),
        };
      }
      runs.push(report);
    }
  }
  s.progress.clear();
  if (a.junit) writeOutput(io, a.junit, renderJunit(runs), 'JUnit');
  const errors = runs.filter((r) => r.result.kind === 'error');
  const allOk = runs.every(runOk);
  emitJson(io, a, renderJson('verify', runs, POLICY));
  if (!jsonOnStdout(a)) {
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
        const status = r.notRun
          ? cell('NOT REACHED', 'yellow')
          : runIncomplete(r)
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
      if (r.notRun) continue;
      if (r.result.kind === 'incomplete')
        lines.push(p.yellow(`${where}: INCOMPLETE — ${INCOMPLETE_REASONS[r.result.reason]}`));
      for (const v of r.verdicts) {
        if (!mismatched(v) || r.result.kind === 'error') continue;
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
    const notRun = runs.filter((r) => r.notRun);
    if (notRun.length)
      lines.push(
        p.yellow(
          `not reached (${INCOMPLETE_REASONS[notRun[0].notRun!]}): ${notRun.map((r) => `${r.ctx.model}/${r.ctx.variant}`).join(', ')}`,
        ),
      );
    const total = runs.length;
    const failed = runs.filter((r) => ['violated', 'mismatch', 'error'].includes(runStatus(r, POLICY))).length;
    const incomplete = runs.filter((r) => runStatus(r, POLICY) === 'incomplete').length;
    lines.push(
      allOk
        ? p.green(`all ${total} model variants meet their expectations`)
        : failed
          ? p.red(
              `${failed} of ${total} model variants do not meet their expectations${incomplete ? `; ${incomplete} incomplete` : ''}`,
            )
          : p.yellow(
              `INCOMPLETE: ${incomplete} of ${total} model variants were not searched to the end (${notRun.length} not reached); nothing contradicts an expectation`,
            ),
    );
    io.out(lines.join('\n') + '\n');
  }
  annotate(io, runs, POLICY, jsonOnStdout(a));
  for (const r of errors)
    io.err(`mmcheck: error: ${r.ctx.model}/${r.ctx.variant}: ${r.result.kind === 'error' ? r.result.message : ''}\n`);
  return exitCodeOf(overallStatus(runs.map((r) => runStatus(r, POLICY))));
}
