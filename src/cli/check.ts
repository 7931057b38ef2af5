/** `mmcheck check`: one model variant, one strategy, verdicts and counterexamples. */
import { ModelError } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import { NO_REDUCTIONS, withReductions } from '../lang/model.js';
import type { Violation } from '../explore/results/result.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import type { RunReport } from '../report/run.js';
import { exitCodeOf, runStatus } from '../report/status.js';
import { renderSummary, renderVerdicts } from '../report/summary.js';
import { renderCounterexample } from '../report/swimlanes.js';
import { wrapIndented } from '../report/wrap.js';
import { renderLockOrder } from '../report/lock-order.js';
import { lockOrder } from '../analysis/lock-order.js';
import { annotate, modelFile } from './annotate.js';
import { lockOrderLimits } from './control.js';
import { choosePalette, outputWidth, type Io } from './io.js';
import { renderMailReport } from '../report/mail.js';
import wrapAnsi from 'wrap-ansi';
import { writeTraceFiles } from './trace-files.js';
import { loadModel } from './load.js';
import { checkedProperties, parseParams, searchOptions, type SearchArgs } from './options.js';
import { verdicts } from '../explore/results/verdicts.js';
import { checkOutputs, emitJson, jsonOnStdout, type OutputArgs } from './outputs.js';
import { kindsOf, search, session, shortest, withFile, writeOutput } from './shared.js';
import { sanityCheck } from '../explore/sanity/sanity.js';
import { strategy, strategyWith } from '../explore/strategies/registry.js';
import { renderSanity } from './sanity.js';
import { EXIT_INCOMPLETE, EXIT_OK } from '../report/status.js';

export interface CheckArgs extends SearchArgs, OutputArgs {
  readonly model: string;
  readonly variant?: string;
  readonly param?: unknown;
  readonly property?: unknown;
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
  readonly width?: unknown;
  readonly sanity?: boolean;
}

/** How `check` turns its run into an exit code: any violation fails, expected or not. */
const POLICY = { anyViolationFails: true } as const;

/**
 * Exit code: 1 when a property is violated (even an expected one) or a verdict differs from its
 * expectation; 3 when the search (or lock-order pass) is incomplete with nothing violated; 0 when
 * the search is complete and every expectation met; 2 on a usage or model error.
 * A `--sanity` disagreement is a model error (2); a `--sanity` check cut short by a limit turns
 * an exit 0 into 3 (incomplete, not a pass).
 */
export async function checkCommand(a: CheckArgs, io: Io): Promise<number> {
  const opts = searchOptions(a);
  const s = session(io, a);
  const params = parseParams(a.param);
  checkOutputs(io, a);
  const { model, ref, file } = await loadModel(a.model, io.cwd);
  const inst = instantiate(a.reductions === false ? withReductions(model, NO_REDUCTIONS) : model, a.variant, params);
  const only = checkedProperties(inst, a.property);
  const ctx = { model: ref, variant: inst.variant, params: inst.params, noReductions: a.reductions === false };
  const result = search(s, inst, { ...opts, properties: only });
  if (result.kind === 'error') throw new ModelError(result.message, result.code);
  const vs = verdicts(inst, result);
  const sanity = a.sanity ? sanityCheck(inst, { ...opts, properties: only }, result) : undefined;

  // Where the strategy's row asks for it, rerun the shortest search per violated property.
  const shortestOf: Record<string, Violation> = {};
  const found = result.kind === 'pass' ? [] : result.violations;
  if (strategy(opts.strategy).rerunShortest)
    for (const v of found) {
      const sv = shortest(s, inst, v.property);
      if (sv) shortestOf[v.property] = sv;
    }
  const lo = a['lock-order'] ? lockOrder(inst, lockOrderLimits(s.control)) : undefined;
  const report: RunReport = {
    ctx,
    result,
    verdicts: vs,
    kinds: kindsOf(inst),
    shortest: shortestOf,
    ...(lo ? { lockOrder: lo } : {}),
    ...withFile(modelFile(io, model.name, file)),
  };
  const code = exitCodeOf(runStatus(report, POLICY));
  if (a.junit) writeOutput(io, a.junit, renderJunit([report]), 'JUnit');
  const width = outputWidth(io, a.width);
  const best = found.map((v) => shortestOf[v.property] ?? v);
  writeTraceFiles(io, a, { ctx, inst, violations: best, verdicts: vs, summary: renderSummary(result, ctx) });
  emitJson(io, a, renderJson('check', [report], POLICY));
  if (jsonOnStdout(a)) {
    // the JSON document is the whole output
  } else if (a.format === 'mail') io.out(renderMailReport(best, ctx, inst, renderSummary(result, ctx)) + '\n');
  else {
    const p = choosePalette(io, a.color !== false);
    const parts = [renderSummary(result, ctx, p, width)];
    // explore gives no ratio when either search is incomplete (or the naive one failed): say so rather than print nothing.
    const notes: string[] = [];
    if (opts.compareNaive && result.stats.reductionRatio === undefined)
      notes.push(
        p.yellow(
          '  reduction vs naive: n/a (a search hit a limit or the naive search failed; no ratio against an incomplete count)',
        ),
      );
    if (only) notes.push(p.dim(`  checked only: ${only.join(', ')}`));
    if (sanity) notes.push(renderSanity(sanity, p));
    parts.push(...notes.map((n) => wrapIndented(n, width)));
    parts.push('', renderVerdicts(vs, p, kindsOf(inst)));
    for (const v of found) {
      const shortestV = shortestOf[v.property] ?? v;
      const title =
        shortestV === v
          ? `counterexample for ${v.property} (${v.trace.steps.length} steps, ${result.stats.strategy}):`
          : `shortest counterexample for ${v.property} (${shortestV.trace.steps.length} steps, ${strategyWith('shortest').name}; ${result.stats.strategy} found one of ${v.trace.steps.length}):`;
      parts.push(
        '',
        p.bold(wrapAnsi(title, width, { hard: true })),
        renderCounterexample(shortestV, ctx, { palette: p, width, inst }),
      );
    }
    if (lo) parts.push('', wrapIndented(renderLockOrder(lo, p), width));
    io.out(parts.join('\n') + '\n');
  }
  annotate(io, [report], POLICY, jsonOnStdout(a));
  return code === EXIT_OK && sanity !== undefined && !sanity.complete ? EXIT_INCOMPLETE : code;
}
