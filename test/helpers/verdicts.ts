/**
 * The verdicts of a model variant as plain data, for the model tests: run an exhaustive search
 * (it must complete: a cut-short search is never a pass) and map each property to its outcome.
 */
import { expect } from '@jest/globals';
import type { Instance } from '../../src/core/instantiate.js';
import { instantiate } from '../../src/core/instantiate.js';
import type { Model } from '../../src/core/model.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { verdicts } from '../../src/explore/results/verdicts.js';

export type Params = Readonly<Record<string, number>>;
export type Outcomes = Record<string, string>;

/** property → outcome of one search result. */
export const outcomesOf = (inst: Instance, r: SearchResult): Outcomes =>
  Object.fromEntries(verdicts(inst, r).map((v) => [v.property, v.outcome]));

/** The violated properties, sorted. */
export const violatedIn = (o: Outcomes): string[] =>
  Object.entries(o)
    .filter(([, x]) => x === 'violated')
    .map(([p]) => p)
    .sort();

/**
 * `outcomes(variant, params?, strategy?)` and `violated(variant, params?)` for one model; the
 * search runs to completion (stopAtFirst false) and the test fails if it was cut short.
 * `memo`: remember each instance's outcomes (for models whose tests ask twice).
 */
export function verdictHelpers(model: Model<any>, opts: { memo?: boolean } = {}) {
  const memo = new Map<string, Outcomes>();
  const outcomes = (variant: string, params: Params = {}, strategy: 'dfs' | 'naive' = 'dfs'): Outcomes => {
    const key = `${variant} ${JSON.stringify(params)} ${strategy}`;
    const hit = opts.memo ? memo.get(key) : undefined;
    if (hit) return hit;
    const inst = instantiate(model, variant, params);
    const r = explore(inst, { strategy, stopAtFirst: false });
    expect(r.kind === 'pass' || (r.kind === 'violation' && r.exhaustive)).toBe(true);
    const o = outcomesOf(inst, r);
    if (opts.memo) memo.set(key, o);
    return o;
  };
  const violated = (variant: string, params: Params = {}): string[] => violatedIn(outcomes(variant, params));
  return { outcomes, violated };
}
