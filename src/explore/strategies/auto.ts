import { searchVecDpor } from '../../engine/dpor-states.js';
import { searchVecNaive } from '../../engine/naive.js';
import type { VecSystem } from '../../engine/system.js';
import { searchDpor } from './dpor/dpor.js';
import { searchNaive } from './naive.js';
import type { AutoRun, Progress, ProgressEstimate, SearchOptions, SearchResult, Violation } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';

/** The state budget of auto's first naive run; each later turn's is GROWTH times the one before. */
export const FIRST_BUDGET = 20_000;
export const GROWTH = 8;
/**
 * What a state costs DPOR in states of the naive search (its race analysis, sleep sets and
 * summaries): dfs's budget in a turn is naive's divided by this, so both runs of a turn cost about
 * the same. Measured on the compiled engine (3.6–4×); on the reference engine a DPOR state costs
 * only 1–1.3 naive states, but the weight is one constant so that both engines choose alike.
 */
export const DFS_WEIGHT = 4;

export interface AutoOptions {
  /** The first naive run's state budget, at least 1 (default FIRST_BUDGET); tests make it small to see the turns. */
  readonly autoFirstBudget?: number;
}

type Run = (opts: SearchOptions) => SearchResult;
/** A run under auto's own budget. */
type Cut = Pick<AutoRun, 'strategy' | 'budget'>;
/** A run's result that is no model error (a model error is auto's result at once). */
type Ended = Exclude<SearchResult, { kind: 'error' }>;

/**
 * DPOR where it pays. DPOR stores far fewer states than the naive search where threads have many
 * independent steps (the classic models: orders of magnitude), but on the compiled engine its
 * bookkeeping costs about four naive states a state, and where symmetry already does the
 * reduction (the kernel models' identical readers) it saves little and costs more time. Which
 * case a model is in is not known before searching, so the two take turns under growing state
 * budgets: naive with 20,000 states, then dfs with 5,000, then naive with 160,000, and so on (×8
 * a turn). The first run that ends within its budget gives the result; a run its budget cuts is
 * thrown away.
 *
 * Sound because each run is a complete search of its own: the result is exactly what
 * `--strategy naive` or `--strategy dfs` gives, and the budgets, counted in states, make the
 * choice the same on every run and on both engines. What it costs: the runs thrown away, from
 * about 2/7 to 16/7 of the winner's work when naive wins, at most about ten times it when dfs
 * does, plus the first naive run (docs/strategies.md works it out).
 *
 * The caller's limits: a search the caller's --max-states cuts is thrown away and runs no more,
 * while the other keeps its turns up to the same limit (dfs proves indexer in 49 states where
 * naive needs 28,561); when both are cut, the second is the result. Any other limit (--max-depth,
 * --time-limit, --max-memory, a signal) makes the run it cuts the result. A result
 * that ends complete finds every violated property itself; an incomplete one also carries the
 * first violation of each property the runs thrown away found (real executions).
 */
export function searchAuto<S>(sys: TransitionSystem<S>, opts: SearchOptions & AutoOptions = {}): SearchResult {
  return takeTurns(
    (o) => searchNaive(sys, o),
    (o) => searchDpor(sys, o),
    opts,
  );
}

/** The same on the compiled engine, with its own naive and DPOR searches. */
export function searchVecAuto(sys: VecSystem, opts: SearchOptions & AutoOptions = {}): SearchResult {
  return takeTurns(
    (o) => searchVecNaive(sys, o),
    (o) => searchVecDpor(sys, o),
    opts,
  );
}

/** The turns, over any naive and dfs runs (exported for the tests, which give it stand-ins). */
export function takeTurns(naive: Run, dfs: Run, opts: SearchOptions & AutoOptions): SearchResult {
  const start = performance.now();
  const thrown: ThrownAway = { runs: [], found: new Map(), peakHeapBytes: 0, peakRssBytes: 0 };
  const callerMax = opts.maxStates ?? Infinity;
  /** The search the caller's --max-states cut (it runs no more), if any. */
  let limited: AutoRun['strategy'] | undefined;
  // At least one state: a budget of 0 stays 0 however often it grows, and every run would be cut.
  for (let budget = Math.max(1, opts.autoFirstBudget ?? FIRST_BUDGET); ; budget *= GROWTH) {
    const turn: [AutoRun['strategy'], Run, number][] = [
      ['naive', naive, budget],
      ['dfs', dfs, Math.ceil(budget / DFS_WEIGHT)],
    ];
    for (const [strategy, search, cap] of turn) {
      if (strategy === limited) continue;
      const capped = cap < callerMax;
      const result = search(
        runOptions(opts, capped ? { strategy, budget: cap } : undefined, performance.now() - start),
      );
      if (result.kind === 'error') return result;
      const cut = result.kind === 'incomplete' && result.reason === 'max-states';
      // Cut by the caller's limit: set aside while the other search may still end within it.
      if (cut && (capped || limited === undefined)) {
        if (!capped) limited = strategy;
        throwAway(thrown, { strategy, budget: Math.min(cap, callerMax), timeMs: result.stats.timeMs }, result);
        continue;
      }
      return finished(result, performance.now() - start, thrown);
    }
  }
}

/** What the runs thrown away leave: the list of them, the first violation of each property they found, their peak memory. */
interface ThrownAway {
  readonly runs: AutoRun[];
  readonly found: Map<string, Violation>;
  peakHeapBytes: number;
  peakRssBytes: number;
}

function throwAway(thrown: ThrownAway, run: AutoRun, result: Ended & { kind: 'incomplete' }): void {
  thrown.runs.push(run);
  for (const v of result.violations) if (!thrown.found.has(v.property)) thrown.found.set(v.property, v);
  thrown.peakHeapBytes = Math.max(thrown.peakHeapBytes, result.stats.peakHeapBytes);
  thrown.peakRssBytes = Math.max(thrown.peakRssBytes, result.stats.peakRssBytes ?? 0);
}

/**
 * The result of the run that ended, with auto's statistics (its time and peak memory those of
 * every run); cut short, with what the runs thrown away found.
 */
function finished(result: Ended, elapsedMs: number, thrown: ThrownAway): SearchResult {
  const { peakHeapBytes, peakRssBytes } = result.stats;
  const stats = {
    ...result.stats,
    timeMs: Math.round(elapsedMs * 10) / 10,
    peakHeapBytes: Math.max(peakHeapBytes, thrown.peakHeapBytes),
    ...(peakRssBytes !== undefined ? { peakRssBytes: Math.max(peakRssBytes, thrown.peakRssBytes) } : {}),
    auto: thrown.runs,
  };
  if (result.kind !== 'incomplete') return { ...result, stats };
  const own = new Set(result.violations.map((v) => v.property));
  const earlier = [...thrown.found.values()].filter((v) => !own.has(v.property));
  return { ...result, violations: [...result.violations, ...earlier], stats };
}

/**
 * A run's options: its state budget (none: the caller's limits only), the caller's time limit
 * less the time spent, and progress with the time since auto started (the run's own time kept
 * for the rate, since its state count starts over). Under auto's own budget,
 * progress says how far the run is into that budget (a search's own estimate from its state
 * limit would read as a fraction of --max-states, which the caller did not give).
 */
function runOptions(opts: SearchOptions, run: Cut | undefined, spentMs: number): SearchOptions {
  const { onProgress, timeLimitMs } = opts;
  const report = (p: Progress): Progress => ({
    ...p,
    elapsedMs: p.elapsedMs + spentMs,
    runMs: p.elapsedMs,
    ...(run ? { estimate: ofBudget(p.states, run) } : {}),
  });
  return {
    ...opts,
    maxStates: run?.budget ?? opts.maxStates,
    ...(timeLimitMs !== undefined ? { timeLimitMs: Math.max(0, timeLimitMs - spentMs) } : {}),
    ...(onProgress ? { onProgress: (p) => onProgress(report(p)) } : {}),
  };
}

/** How far a run is into its budget: `40% of auto's naive run's budget (160,000 states)`. */
function ofBudget(states: number, run: Cut): ProgressEstimate {
  const budget = run.budget.toLocaleString('en-US');
  return {
    fraction: Math.min(1, states / run.budget),
    basis: `of auto's ${run.strategy} run's budget (${budget} states)`,
  };
}
