import type { Instance } from '../core/instantiate.js';
import { VecSystem } from '../engine/system.js';
import { isCompiled } from '../lang/model.js';
import { guarded } from './strategies/finish.js';
import type { SearchResult } from './results/result.js';
import {
  DEFAULT_STRATEGY,
  strategy as strategyRow,
  strategyWith,
  type SearchStrategy,
  type StrategyOptions,
  type StrategyRow,
} from './strategies/registry.js';
import { System } from './system/system.js';

export { STRATEGIES, type SearchStrategy } from './strategies/registry.js';

export interface ExploreOptions extends StrategyOptions {
  readonly strategy?: SearchStrategy;
  /** Use the model's declared thread symmetry (default true; the strategies whose row says `symmetry`). */
  readonly symmetry?: boolean;
  /** Also run the plain (naive) search and report the reduction ratio (the strategies that take `compare-naive`). */
  readonly compareNaive?: boolean;
  /**
   * `reference` (default): states as objects (src/explore/system/system.ts). `compiled`: states as flat
   * vectors of a model-language model (src/engine), every strategy. `auto` (the CLI's default):
   * compiled for a model-language model, reference for a model written against 0.1's step API.
   */
  readonly engine?: EngineChoice;
}

export type Engine = 'reference' | 'compiled';
export const ENGINES: readonly Engine[] = ['reference', 'compiled'];
export type EngineChoice = Engine | 'auto';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', ...ENGINES];

/** The engine a choice runs an instance on: `auto` takes the compiled one when the model is in the model language. */
export function engineFor(inst: Instance, choice: EngineChoice = 'reference'): Engine {
  if (choice !== 'auto') return choice;
  return isCompiled(inst.program) ? 'compiled' : 'reference';
}

/**
 * Check one model instance with one strategy (a row of the strategy table). Never throws: model
 * errors come back as `error`.
 */
export function explore(inst: Instance, opts: ExploreOptions = {}): SearchResult {
  const row = strategyRow(opts.strategy ?? DEFAULT_STRATEGY);
  return guarded(() => {
    const result = runOn(row, inst, opts, opts.symmetry);
    if (!opts.compareNaive || !row.takes.includes('compare-naive')) return result;
    // No ratio against an incomplete count, on either side.
    if (result.kind === 'error' || result.kind === 'incomplete') return result;
    const plain = runOn(strategyWith('plain'), inst, opts, false);
    if (plain.kind === 'error' || plain.kind === 'incomplete') return result;
    return {
      ...result,
      stats: { ...result.stats, reductionRatio: plain.stats.states / Math.max(1, result.stats.states) },
    };
  });
}

/** A row's search on the engine the options ask for. */
function runOn(row: StrategyRow, inst: Instance, opts: ExploreOptions, symmetry: boolean | undefined): SearchResult {
  const engine = engineFor(inst, opts.engine);
  let result: SearchResult;
  if (engine === 'compiled') {
    const sys = new VecSystem(inst, opts.properties, { symmetry });
    result = row.searchCompiled ? row.searchCompiled(sys, opts) : row.search(sys, opts);
  } else result = row.search(new System(inst, opts.properties, { symmetry }), opts);
  return result.kind === 'error' ? result : { ...result, stats: { ...result.stats, engine } };
}
