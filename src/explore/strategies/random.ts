import { createRequire } from 'node:module';
import { Budget } from '../results/budget.js';
import { Recorder, type Found } from '../system/check.js';
import { finish, guarded } from './finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';

export interface RandomOptions extends SearchOptions {
  readonly seed?: number;
  /** Schedules to try (default 1000). */
  readonly runs?: number;
}

/**
 * fast-check, loaded on the first random search: it is a sixth of the checker's module load
 * (≈16 ms), which every exhaustive `check` would otherwise pay at start-up. Its CommonJS build,
 * so that the load stays synchronous.
 */
let fastCheck: typeof import('fast-check') | undefined;
const loadFastCheck = (): typeof import('fast-check') =>
  (fastCheck ??= createRequire(import.meta.url)('fast-check') as typeof import('fast-check'));

/**
 * Random walk for models too large to exhaust, built on fast-check: a schedule is an array of
 * choices (an arbitrary), the i-th picking among the threads enabled at step i; once the choices
 * run out the lowest enabled thread runs. A failing schedule is shrunk by fast-check to a short
 * one, and the seed reproduces the run. Never a proof: without a violation the result is
 * `incomplete` (sampled).
 */
/** Thrown into fast-check to end a stopped walk's remaining runs. */
const STOPPED = new Error('mmcheck: random walk stopped');

export function searchRandom<S>(sys: TransitionSystem<S>, opts: RandomOptions = {}): SearchResult {
  return guarded(() => {
    const fc = loadFastCheck();
    const budget = new Budget(opts, opts.onProgress);
    const maxDepth = opts.maxDepth ?? 10_000;
    const seed = opts.seed ?? 42;
    let executions = 0;
    let stoppedBy: IncompleteReason | null = null;
    const runs = opts.runs ?? 1000;
    budget.estimate = () => ({ fraction: executions / runs, basis: `of ${runs} schedules (--runs)` });

    const walk = (choices: readonly number[]): { found: readonly Found[]; tids: number[] } => {
      let g: S = sys.initial();
      const tids: number[] = [];
      let found = sys.check(g, sys.enabledMask(g));
      for (let i = 0; found.length === 0 && i < maxDepth; i++) {
        const en = sys.enabledMask(g);
        if (en === 0) break;
        const p = pick(en, i < choices.length ? choices[i] : 0);
        tids.push(p);
        stoppedBy ??= budget.tick(0, i + 1, 0);
        const ex = sys.exec(g, p);
        g = ex.g;
        if (ex.violation) {
          // A BUG ends the run; it counts only if its property is checked.
          found = sys.assertions.has(ex.violation.property) ? [{ ...ex.violation, kind: 'assertion' as const }] : [];
          break;
        }
        found = sys.check(g, sys.enabledMask(g));
      }
      return { found, tids };
    };

    const schedules = fc.array(fc.nat({ max: 31 }), { maxLength: Math.min(maxDepth, 400) });
    let violated = false;
    const details = fc.check(
      fc.property(schedules, (choices) => {
        if (stoppedBy !== null) {
          // Stopped: a violation being shrunk keeps its best schedule so far; else a failure ends
          // the remaining runs at once (its shrinking runs no walk), where passing would generate them all.
          if (violated) return true;
          throw STOPPED;
        }
        executions++;
        let holds = false;
        try {
          holds = walk(choices).found.length === 0;
        } finally {
          // A walk that throws (a model error) fails too: replaying its schedule below reports the error.
          if (!holds) violated = true;
        }
        return holds;
      }),
      { seed, numRuns: runs, endOnFailure: false },
    );
    const rec = new Recorder(sys, true);
    if (violated && details.failed && details.counterexample) {
      const { found, tids } = walk(details.counterexample[0]);
      rec.record(found, () => tids);
    }
    const stats = budget.stats('random', 0, 0, { executions });
    return finish(rec, stoppedBy ?? 'sampled', stats);
  });
}

function pick(enabled: number, choice: number): number {
  const count = popcount(enabled);
  let k = choice % count;
  let m = enabled;
  while (k-- > 0) m &= m - 1;
  return 31 - Math.clz32(m & -m);
}

function popcount(m: number): number {
  let c = 0;
  for (; m !== 0; m &= m - 1) c++;
  return c;
}
