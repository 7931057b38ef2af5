/**
 * Differential tests of the compiler's reductions on random small language programs: with the
 * reductions on and off, the reachable shared states (outside locked sections), the terminal shared states and every
 * property's verdict are the same, under the naive search on the reference engine and under
 * dfs and odpor; with the reductions off, naive and bfs store the same states, and the
 * reductions never add states. The programs take a declared spinlock `k` around random code
 * that touches the field `g` it guards and unguarded cells (merged sections: the shared states
 * in which `k` is free are the same on and off), and half of them leave `a` unscoped, so that
 * only the liveness analysis resets it.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import { ALL_REDUCTIONS, NO_REDUCTIONS, scope, step, thread, type Reductions } from '../../src/lang/index.js';
import { outcomesOf } from '../helpers/verdicts.js';
import { langProgram, sharedStates } from './helpers.js';
import { buildProgram as build, genThread, shared } from './random-program.js';

const { x } = shared.refs;
interface L {
  readonly a: number;
  readonly i: number;
}
const genProgram = fc.array(genThread(), { minLength: 2, maxLength: 3 });

const states = (inst: Instance, strategy: 'naive' | 'bfs') => {
  const r = explore(inst, { strategy, stopAtFirst: false });
  if (r.kind === 'error' || r.kind === 'incomplete') throw new Error(`${strategy}: ${r.kind}`);
  return r.stats.states;
};

describe('compiler reductions: differential', () => {
  test('same shared states, terminal states and verdicts with the reductions on and off', () => {
    fc.assert(
      fc.property(genProgram, (prog) => {
        const off = build(prog, NO_REDUCTIONS);
        const on = build(prog, ALL_REDUCTIONS);
        const a = sharedStates(off);
        const b = sharedStates(on);
        // Merged sections hide states inside them (k held): a subset; outside them (k free) the
        // very same shared states.
        expect([...b.reach].filter((j) => !a.reach.has(j))).toEqual([]);
        const free = (r: Set<string>) => [...r].filter((j) => (JSON.parse(j) as { k: number }).k === -1).sort();
        expect(free(b.reach)).toEqual(free(a.reach));
        expect([...b.terminal].sort()).toEqual([...a.terminal].sort());
        expect(b.deadlock).toBe(a.deadlock);
        const reference = outcomesOf(off, explore(off, { strategy: 'naive', stopAtFirst: false }));
        for (const inst of [off, on])
          for (const strategy of ['naive', 'dfs', 'odpor'] as const)
            expect(outcomesOf(inst, explore(inst, { strategy, stopAtFirst: false }))).toEqual(reference);
        expect(states(off, 'bfs')).toBe(states(off, 'naive'));
        expect(states(on, 'naive')).toBeLessThanOrEqual(states(off, 'naive'));
      }),
      { seed: 13, numRuns: 100 },
    );
  });

  test('dead-local reset merges states that differ only in a dead local', () => {
    // T0: { a = x[0] } (a scoped, never read again); x[1] = 1.   T1: x[0] = 1.
    // States (pc0, a, pc1, x0, x1). Off: init; T0 loads → (1,0,0,0,0); T1 → (0,0,1,1,0);
    // (2,0,0,0,1); (1,0,1,1,0); (1,1,1,1,0) [T1 first, then T0 loads 1]; and the end states
    // (2,0,1,1,1), (2,1,1,1,1): 8. On: a is reset when T0 leaves the scope, so (1,1,1,1,0)
    // is (1,0,1,1,0) and (2,1,1,1,1) is (2,0,1,1,1): 6.
    const count = (red: Reductions) =>
      states(
        langProgram(
          () => ({
            layout: shared,
            threads: [
              thread<L>('T0', { a: 0, i: 0 }, [
                scope<L>({ a: 0 }, [step('a = x[0]', (c) => c.let({ a: c.get(x.at(0)) }))]),
                step('x[1] = 1', (c) => c.set(x.at(1), 1)),
              ]),
              thread<L>('T1', { a: 0, i: 0 }, [step('x[0] = 1', (c) => c.set(x.at(0), 1))]),
            ],
            properties: [],
            observes: {},
          }),
          red,
        ),
        'naive',
      );
    expect([count(NO_REDUCTIONS), count(ALL_REDUCTIONS)]).toEqual([8, 6]);
  });
});
