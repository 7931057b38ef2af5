/**
 * Helpers to turn a hand-written program (initial state, threads, properties) into a model
 * instance, and to run one strategy on it.
 */
import { reads, writes } from '../../src/core/access.js';
import { instantiate, type Instance } from '../../src/core/instantiate.js';
import { defineModel, type Verdict } from '../../src/core/model.js';
import { store } from '../../src/core/ops.js';
import { endState, type Property } from '../../src/core/property.js';
import type { Step } from '../../src/core/step.js';
import { thread, type ThreadDef } from '../../src/core/thread.js';
import { explore, type ExploreOptions, type SearchStrategy } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';

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

/**
 * Issue 11: a step whose footprint depends on the state. All variables 0 at the start; each
 * statement is one step with an exact footprint:
 *
 *     T0: x1 = 1; y = 1
 *     T1: if (x1 == 1) x2 = 1        reads x1; writes x2 only when x1 == 1
 *     T2: y = 2; x2 = 0
 *     T3: x1 = 3
 *     end-state property `end`: !(x1 == 3 && x2 == 1 && y == 1)
 *
 * Violated by the schedule 0,2,0,2,1,3: 16 Mazurkiewicz traces (footprints as computed where
 * each step runs). odpor used to test the reversal of T3's `x1 = 3` before T1's step with T1's
 * footprint recorded after it (reads x1 only), found it covered, and passed after 15.
 */
export function conditionalStoreRace(): Instance {
  type S = { readonly x1: number; readonly x2: number; readonly y: number };
  const put = (v: keyof S, c: number): Step => store(`${v} = ${c}`, [v], () => c);
  const condStore: Step<S> = {
    label: 'if (x1 == 1) x2 = 1',
    footprint: (s) => (s.x1 === 1 ? [...reads('x1'), ...writes('x2')] : reads('x1')),
    run: (s) => (s.x1 === 1 ? { s: { ...s, x2: 1 } } : {}),
  };
  return program({
    name: 'conditional-store-race',
    init: { x1: 0, x2: 0, y: 0 },
    threads: [
      thread('T0', {}, [put('x1', 1), put('y', 1)]),
      thread('T1', {}, [condStore]),
      thread('T2', {}, [put('y', 2), put('x2', 0)]),
      thread('T3', {}, [put('x1', 3)]),
    ],
    properties: [
      endState<S>('end', '!(x1 == 3 && x2 == 1 && y == 1)', (v) =>
        v.s.x1 === 3 && v.s.x2 === 1 && v.s.y === 1 ? 'x1 == 3 && x2 == 1 && y == 1 at the end' : null,
      ),
    ],
  });
}
