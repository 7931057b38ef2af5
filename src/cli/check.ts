/** `mmcheck check`: one model variant, one strategy, verdicts and counterexamples. */
import { ModelError } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { Violation } from '../explore/result.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import type { RunReport } from '../report/run.js';
import { renderSummary, renderVerdicts } from '../report/summary.js';
import { renderCounterexample } from '../report/swimlanes.js';
import { renderLockOrder } from '../report/lock-order.js';
import { lockOrder } from '../analysis/lock-order.js';
import { choosePalette, reportWidth, type Io } from './io.js';
import { loadModel } from './load.js';
import { checkedProperties, parseParams, searchOptions, type SearchArgs } from './options.js';
import { meetsExpectation, verdicts } from '../explore/verdicts.js';
import { sanityCheck } from '../explore/sanity.js';
import { renderSanity } from './sanity.js';
import { EXIT_FAIL, EXIT_OK, kindsOf, search, shortest, writeOutput } from './shared.js';

export interface CheckArgs extends SearchArgs {
  readonly model: string;
  readonly variant?: string;
  readonly param?: unknown;
  readonly property?: unknown;
  readonly json?: boolean;
  readonly junit?: string;
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
  readonly sanity?: boolean;
}

/**
 * Exit code: 0 when no property is violated, the search is complete and every expectation is
 * met; 1 otherwise (a violation, even an expected one, an incomplete search, lock-order pass or
 * `--sanity` check, or a mismatch); 2 for a model error, `--sanity`'s disagreements included.
 */
export async function checkCommand(a: CheckArgs, io: Io): Promise<number> {
  const opts = searchOptions(a);
  const params = parseParams(a.param);
  const { model, ref } = await loadModel(a.model, io.cwd);
  const inst = instantiate(model, a.variant, params);
  const only = checkedProperties(inst, a.property);
  const ctx = { model: ref, variant: inst.variant, params: inst.params };
  const result = search(io, inst, { ...opts, properties: only });
  if (result.kind === 'error') throw new ModelError(result.message, result.code);
  const vs = verdicts(inst, result);
  const sanity = a.sanity ? sanityCheck(inst, { ...opts, properties: only }, result) : undefined;

  // Under the default reduced search, rerun breadth-first per violated property for the shortest trace.
  const shortestOf: Record<string, Violation> = {};
  const found = result.kind === 'pass' ? [] : result.violations;
  if (opts.strategy === 'dfs' || opts.strategy === 'naive')
    for (const v of found) {
      const s = shortest(io, inst, v.property, opts);
      if (s) shortestOf[v.property] = s;
    }
  const lo = a['lock-order']
    ? lockOrder(inst, { maxStates: opts.maxStates, timeLimitMs: opts.timeLimitMs })
    : undefined;
  const report: RunReport = {
    ctx,
    result,
    verdicts: vs,
    kinds: kindsOf(inst),
    shortest: shortestOf,
    ...(lo ? { lockOrder: lo } : {}),
  };
  if (a.junit) writeOutput(io, a.junit, renderJunit([report]), 'JUnit');

  if (a.json) io.out(renderJson('check', [report]));
  else {
    const p = choosePalette(io, a.color !== false);
    const parts = [renderSummary(result, ctx, p)];
    // explore gives no ratio when either search is incomplete (or the naive one failed): say so rather than print nothing.
    if (opts.compareNaive && result.stats.reductionRatio === undefined)
      parts.push(
        p.yellow(
          '  reduction vs naive: n/a (a search hit a limit or the naive search failed; no ratio against an incomplete count)',
        ),
      );
    if (only) parts.push(p.dim(`  checked only: ${only.join(', ')}`));
    if (sanity) parts.push(renderSanity(sanity, p));
    parts.push('', renderVerdicts(vs, p, kindsOf(inst)));
    for (const v of found) {
      const best = shortestOf[v.property] ?? v;
      const title =
        best === v
          ? `counterexample for ${v.property} (${v.trace.steps.length} steps, ${result.stats.strategy}):`
          : `shortest counterexample for ${v.property} (${best.trace.steps.length} steps, bfs; ${result.stats.strategy} found one of ${v.trace.steps.length}):`;
      parts.push('', p.bold(title), renderCounterexample(best, ctx, { palette: p, width: reportWidth(io) }));
    }
    if (lo) parts.push('', renderLockOrder(lo, p));
    io.out(parts.join('\n') + '\n');
  }
  const ok =
    result.kind === 'pass' &&
    vs.every(meetsExpectation) &&
    (lo === undefined || lo.complete) &&
    (sanity === undefined || sanity.complete);
  return ok ? EXIT_OK : EXIT_FAIL;
}
