/**
 * The library's one call: build a variant of a model, search it, and judge every property
 * against the variant's expectations — what `mmcheck check` does, without printing or exiting.
 */
import { ModelError } from './core/errors.js';
import { instantiate, type Instance } from './core/instantiate.js';
import type { Model } from './core/model.js';
import { explore, type ExploreOptions } from './explore/explore.js';
import { verdicts } from './explore/results/verdicts.js';
import { runOk, type RunReport } from './report/run.js';

export interface CheckOptions extends ExploreOptions {
  /** The variant to build (default: the model's first). */
  readonly variant?: string;
  /** Parameter values; the others keep their defaults. */
  readonly params?: Readonly<Record<string, number>>;
  /** How reports and replay commands name the model (default: its name). */
  readonly ref?: string;
}

/** A RunReport (renderJson, renderJunit and runOk take it as it is) with the instance searched. */
export interface CheckRun extends RunReport {
  readonly instance: Instance;
  /** The search finished and every property got its expected verdict. */
  readonly ok: boolean;
}

/**
 * Check one variant. Searches past the first violation (`stopAtFirst: false` unless given) so
 * that every property gets a verdict, on the compiled engine for a model-language model
 * (`engine: 'auto'` unless given, as `mmcheck check`). Throws ModelError for a request the model
 * cannot satisfy (unknown variant, parameter or property; a model whose build throws); a model
 * error during the search comes back as a result of kind `error`, as from explore, and `ok` is
 * then false.
 */
export function check(model: Model, opts: CheckOptions = {}): CheckRun {
  const instance = instantiate(model, opts.variant, opts.params);
  requireProperties(instance, opts.properties ?? []);
  const result = explore(instance, { stopAtFirst: false, ...opts, engine: opts.engine ?? 'auto' });
  const report: RunReport = {
    ctx: { model: opts.ref ?? model.name, variant: instance.variant, params: instance.params },
    result,
    verdicts: verdicts(instance, result),
    kinds: Object.fromEntries(instance.properties.map((p) => [p.name, p.kind])),
  };
  return { ...report, instance, ok: runOk(report) };
}

function requireProperties(instance: Instance, names: readonly string[]): void {
  const known = instance.properties.map((p) => p.name);
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined)
    throw new ModelError(
      `model '${instance.model.name}' has no property '${unknown}' (known: ${known.join(', ')})`,
      'unknown-property',
    );
}
