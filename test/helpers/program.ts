/**
 * Helpers to turn a hand-written program (initial state, threads, properties) into a model
 * instance, and to run one strategy on it.
 */
import { instantiate, type Instance } from '../../src/core/instantiate.js';
import { defineModel, type Verdict } from '../../src/core/model.js';
import type { Property } from '../../src/core/property.js';
import type { ThreadDef } from '../../src/core/thread.js';
import { explore, type ExploreOptions, type SearchStrategy } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/result.js';

export interface ProgramSpec {
  readonly name?: string;
  readonly init: unknown;
  readonly threads: readonly ThreadDef<any, any>[];
  readonly properties?: readonly Property[];
  readonly expect?: Readonly<Record<string, Verdict>>;
}

/** A one-variant model around a fixed program, instantiated. */
export function program(spec: ProgramSpec): Instance {
  const name = spec.name ?? 'test';
  const model = defineModel({
    name,
    title: name,
    story: 'test program',
    params: {},
    options: {},
    variants: { default: { doc: 'the only variant', options: {}, expect: spec.expect ?? {} } },
    build: () => ({ init: spec.init, threads: spec.threads, properties: spec.properties ?? [] }),
  });
  return instantiate(model);
}

export function run(inst: Instance, strategy: SearchStrategy, opts: ExploreOptions = {}): SearchResult {
  return explore(inst, { ...opts, strategy });
}

/** States and transitions of a finished (pass or exhaustive) search, failing loudly otherwise. */
export function counts(r: SearchResult): { states: number; transitions: number } {
  if (r.kind === 'error') throw new Error(`search error: ${r.message}`);
  return { states: r.stats.states, transitions: r.stats.transitions };
}

/** Property name → outcome (violated / holds / unknown / error). */
export function outcomes(
  inst: Instance,
  r: SearchResult,
  verdictsFn: (i: Instance, r: SearchResult) => { property: string; outcome: string }[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of verdictsFn(inst, r)) out[v.property] = v.outcome;
  return out;
}
