/**
 * The models the SPIN benchmark runs: one entry per mmcheck language model and variant, with the
 * parameter the sizes set and the default sizes (`npm run bench:spin -- --sizes` and `--only`
 * override them). The Promela of every entry is generated from the compiled model
 * (bench/spin/generate), so the entries list only what to run, never how to translate it: every
 * variant a model declares is an entry, including variants added later.
 */
import type { Instance } from '../../src/core/instantiate.js';
import type { Model } from '../../src/core/model.js';
import { instantiateWith, isLangModel, NO_REDUCTIONS } from '../../src/lang/index.js';
import { models } from '../../models/index.js';
import { generate, type Generated } from './generate/index.js';

export interface Translation {
  /** mmcheck registry name. */
  readonly model: string;
  readonly variant: string;
  /** The mmcheck parameter the size sets (none: one size). */
  readonly param?: string;
  readonly sizes: readonly number[];
  /** Run by default (the other entries run with `--only` or `--all-variants`). */
  readonly byDefault: boolean;
  /** In the benchmark's plan (sizes chosen for it; the rest run at the model's defaults); `--emit` writes these. */
  readonly planned: boolean;
}

/**
 * The compiled form both checkers run: the compiler's reductions stay off (mmcheck's worker
 * instantiates the same way), so SPIN and mmcheck explore the same step machine.
 */
export function instanceOf(t: Translation, n: number): Instance {
  const model = models.find((m) => m.name === t.model)!;
  return instantiateWith(model, NO_REDUCTIONS, t.variant, t.param ? { [t.param]: n } : {});
}

/** The generated Promela of an entry at size n (with `only`, that property's checks alone). */
export const promelaOf = (t: Translation, n: number, only?: string): Generated => generate(instanceOf(t, n), { only });

/** The size parameter and default sizes of the benchmarked models; models not listed run at their defaults. */
const PLAN: Readonly<Record<string, { param: string; sizes: readonly number[]; variants?: readonly string[] }>> = {
  'migration-vs-fault': {
    param: 'readers',
    sizes: [1, 2, 3, 4, 5, 6],
    variants: ['upstream', 'opt2-xchg', 'opt3-freeze-first', 'opt5-recheck'],
  },
  readers: { param: 'n', sizes: [2, 4, 8, 12] },
  lastzero: { param: 'n', sizes: [2, 4, 6, 8, 10] },
  indexer: { param: 'n', sizes: [2, 3, 4, 5, 6] },
  filesystem: { param: 'n', sizes: [2, 3, 4, 5, 6] },
  philosophers: { param: 'n', sizes: [3, 5, 7] },
  peterson: { param: '', sizes: [2] },
};

function entries(m: Model): Translation[] {
  const plan = PLAN[m.name];
  return Object.keys(m.variants).map((variant) => ({
    model: m.name,
    variant,
    ...(plan?.param ? { param: plan.param } : {}),
    sizes: plan?.sizes ?? [0],
    byDefault: plan !== undefined && (plan.variants?.includes(variant) ?? true),
    planned: plan !== undefined,
  }));
}

/** Every language model's variants: the planned ones by default, the other kernel models with `--only`. */
export const TRANSLATIONS: readonly Translation[] = models.filter(isLangModel).flatMap(entries);

export const nameOf = (t: Translation) => (t.model === t.variant ? t.model : `${t.model}/${t.variant}`);
