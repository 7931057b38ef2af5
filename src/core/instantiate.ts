import { ModelError, StepError, errorMessage } from './errors.js';
import type { Model, Program, Verdict } from './model.js';
import { deadlockFree, DEADLOCK_FREE, type Property } from './property.js';

export interface Instance {
  readonly model: Model;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly program: Program;
  /** Every property checked, the built-in deadlock freedom included. */
  readonly properties: readonly Property[];
  readonly expect: Readonly<Record<string, Verdict>>;
}

export function defaultVariant(model: Model): string {
  return Object.keys(model.variants)[0];
}

export function resolveParams(model: Model, given: Readonly<Record<string, number>> = {}): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [k, spec] of Object.entries(model.params)) params[k] = spec.default;
  for (const [k, v] of Object.entries(given)) {
    const spec = model.params[k];
    if (!spec)
      throw new ModelError(
        `model '${model.name}' has no parameter '${k}' (known: ${Object.keys(model.params).join(', ') || 'none'})`,
        'unknown-param',
      );
    if (!Number.isInteger(v) || v < spec.min || v > spec.max)
      throw new ModelError(
        `parameter ${k}=${v} of model '${model.name}' must be an integer in ${spec.min}..${spec.max}`,
        'bad-param',
      );
    params[k] = v;
  }
  return params;
}

/** Build one variant of a model at the given parameters, validating what the model returns. */
export function instantiate(model: Model, variant?: string, given?: Readonly<Record<string, number>>): Instance {
  const name = variant ?? defaultVariant(model);
  const spec = model.variants[name];
  if (!spec)
    throw new ModelError(
      `model '${model.name}' has no variant '${name}' (known: ${Object.keys(model.variants).join(', ')})`,
      'unknown-variant',
    );
  const params = resolveParams(model, given);
  let program: Program;
  try {
    program = model.build({ ...model.options, ...spec.options }, params);
  } catch (e) {
    if (e instanceof StepError) throw e.located(model.name, name);
    throw new ModelError(`model '${model.name}' variant '${name}' failed to build: ${errorMessage(e)}`, 'model-threw');
  }
  validate(model, program);
  precheck(program, model.name, name);
  const properties = [...program.properties, deadlockFree];
  const known = new Set(properties.map((p) => p.name));
  for (const p of Object.keys(spec.expect))
    if (!known.has(p))
      throw new ModelError(
        `model '${model.name}' variant '${name}' expects a verdict for unknown property '${p}'`,
        'bad-model',
      );
  const expect: Record<string, Verdict> = {};
  for (const p of properties) expect[p.name] = spec.expect[p.name] ?? 'holds';
  return { model, variant: name, params, program, properties, expect };
}

/** The compiler's check before any search (a language model's pre-pass): its error names model and variant. */
function precheck(program: Program, model: string, variant: string): void {
  try {
    program.precheck?.();
  } catch (e) {
    if (e instanceof StepError) throw e.located(model, variant);
    if (e instanceof ModelError) throw e;
    throw new ModelError(
      `model '${model}' variant '${variant}' pre-search check failed: ${errorMessage(e)}`,
      'internal',
    );
  }
}

function validate(model: Model, program: Program): void {
  if (!program || !Array.isArray(program.threads) || program.threads.length === 0)
    throw new ModelError(`model '${model.name}' built no threads`, 'bad-model');
  if (program.threads.length > 31)
    throw new ModelError(
      `model '${model.name}' has ${program.threads.length} threads; at most 31 are supported`,
      'bad-model',
    );
  const names = new Set<string>();
  for (const p of program.properties) {
    if (names.has(p.name) || p.name === DEADLOCK_FREE)
      throw new ModelError(`model '${model.name}' declares property '${p.name}' twice`, 'bad-model');
    names.add(p.name);
  }
  for (const t of program.threads) {
    const pcs = new Set<string>();
    for (const s of t.steps) {
      if (typeof s.run !== 'function' || typeof s.footprint !== 'function')
        throw new ModelError(
          `model '${model.name}' thread '${t.name}' step '${s.label}' lacks run or footprint`,
          'bad-model',
        );
      if (s.name) {
        if (pcs.has(s.name) || s.name === 'exit')
          throw new ModelError(`model '${model.name}' thread '${t.name}' has two steps named '${s.name}'`, 'bad-model');
        pcs.add(s.name);
      }
    }
  }
}
