import type { Property } from './property.js';
import type { ShowRule } from './show.js';
import type { Symmetry } from './symmetry.js';
import type { ThreadDef } from './thread.js';

/** A model instantiated for one variant and one choice of parameters. */
export interface Program<S = any> {
  readonly init: S;
  readonly threads: readonly ThreadDef<S, any>[];
  readonly properties: readonly Property<S>[];
  /** Interchangeable threads (see src/core/symmetry.ts): the searches store one state per permutation class. */
  readonly symmetry?: Symmetry<S>;
  /** How reports name state paths (report only; see src/core/show.ts). */
  readonly show?: readonly ShowRule[];
  /**
   * A check the model's compiler asks for before any search (src/lang/prepass.ts): throws a
   * ModelError (a StepError naming the thread and step) for a model it refuses. `instantiate`
   * runs it once on the program it built.
   */
  readonly precheck?: () => void;
}

export interface ParamSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

export type Verdict = 'holds' | 'violated';

/** A named override of the model's options: a candidate fix or a historic kernel version. */
export interface VariantSpec<O> {
  readonly doc: string;
  readonly options: Partial<O>;
  /** Expected verdict per property at the default parameters (unlisted properties: holds). */
  readonly expect: Readonly<Record<string, Verdict>>;
}

/** A path whose cost `mmcheck compare` reports per variant: one thread run alone. */
export interface CostScenario {
  readonly name: string;
  readonly thread: string;
  /** Parameters for this measurement (e.g. a page that is cached but not mapped). */
  readonly params?: Readonly<Record<string, number>>;
}

/**
 * A model whose finding is a lockdep report: `mmcheck compare` adds a `lock order` column (the
 * cycles of the lockdep-style pass per variant). `params` override the command's for that pass
 * (e.g. no lock-free readers, which add states but no dependency).
 */
export interface LockOrderColumn {
  readonly params?: Readonly<Record<string, number>>;
}

export interface Model<O extends object = any> {
  readonly name: string;
  readonly title: string;
  /** The model's story: what kernel paths race and how, in a paragraph or two. */
  readonly story: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly options: O;
  /** The first variant is the default one. */
  readonly variants: Readonly<Record<string, VariantSpec<O>>>;
  readonly build: (options: O, params: Readonly<Record<string, number>>) => Program;
  readonly costs?: readonly CostScenario[];
  readonly lockOrder?: LockOrderColumn;
}

export function defineModel<O extends object>(m: Model<O>): Model<O> {
  return m;
}
