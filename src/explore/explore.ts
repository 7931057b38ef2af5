import type { Instance } from '../core/instantiate.js';
import { searchVecNaive } from '../engine/naive.js';
import { VecSystem } from '../engine/system.js';
import { searchBfs } from './bfs.js';
import { searchDpor } from './dpor.js';
import { guarded } from './finish.js';
import { searchNaive } from './naive.js';
import { searchOdpor } from './odpor.js';
import { searchPreempt, type PreemptOptions } from './preempt.js';
import { searchRandom, type RandomOptions } from './random.js';
import type { SearchResult, Strategy } from './result.js';
import { System } from './system.js';
import type { TransitionSystem } from './transition.js';

export type SearchStrategy = Exclude<Strategy, 'replay'>;
export const STRATEGIES: readonly SearchStrategy[] = ['dfs', 'bfs', 'preempt', 'random', 'naive', 'odpor'];

export interface ExploreOptions extends PreemptOptions, RandomOptions {
  readonly strategy?: SearchStrategy;
  /** Use the model's declared thread symmetry (default true; dfs, naive and bfs). */
  readonly symmetry?: boolean;
  /** Also run the naive search and report the reduction ratio (dfs only). */
  readonly compareNaive?: boolean;
  /**
   * `reference` (default): states as objects (src/explore/system.ts). `compiled`: states as flat
   * vectors of a model-language model (src/engine), every strategy.
   */
  readonly engine?: Engine;
}

export type Engine = 'reference' | 'compiled';
export const ENGINES: readonly Engine[] = ['reference', 'compiled'];

/** Check one model instance with one strategy. Never throws: model errors come back as `error`. */
export function explore(inst: Instance, opts: ExploreOptions = {}): SearchResult {
  if (opts.engine === 'compiled') return compiled(inst, opts);
  return guarded(() => {
    const result = run(new System(inst, opts.properties, { symmetry: opts.symmetry }), opts);
    if (!opts.compareNaive || result.kind === 'error' || (opts.strategy ?? 'dfs') !== 'dfs') return result;
    // No ratio against an incomplete count, on either side.
    if (result.kind === 'incomplete') return result;
    const naive = searchNaive(new System(inst, opts.properties, { symmetry: false }), opts);
    if (naive.kind === 'error' || naive.kind === 'incomplete') return result;
    return {
      ...result,
      stats: { ...result.stats, reductionRatio: naive.stats.states / Math.max(1, result.stats.states) },
    };
  });
}

function compiled(inst: Instance, opts: ExploreOptions): SearchResult {
  return guarded(() => {
    const sys = new VecSystem(inst, opts.properties, { symmetry: opts.symmetry });
    if ((opts.strategy ?? 'dfs') === 'naive') return searchVecNaive(sys, opts);
    const result = run(sys, opts);
    if (!opts.compareNaive || result.kind === 'error' || result.kind === 'incomplete') return result;
    if ((opts.strategy ?? 'dfs') !== 'dfs') return result;
    const naive = searchVecNaive(new VecSystem(inst, opts.properties, { symmetry: false }), opts);
    if (naive.kind === 'error' || naive.kind === 'incomplete') return result;
    return {
      ...result,
      stats: { ...result.stats, reductionRatio: naive.stats.states / Math.max(1, result.stats.states) },
    };
  });
}

function run<S>(sys: TransitionSystem<S>, opts: ExploreOptions): SearchResult {
  switch (opts.strategy ?? 'dfs') {
    case 'dfs':
      return searchDpor(sys, opts);
    case 'naive':
      return searchNaive(sys, opts);
    case 'bfs':
      return searchBfs(sys, opts);
    case 'preempt':
      return searchPreempt(sys, opts);
    case 'random':
      return searchRandom(sys, opts);
    case 'odpor':
      return searchOdpor(sys, opts);
  }
}
