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
import { assertion, endState, invariant } from '../../src/core/property.js';
import { explore } from '../../src/explore/explore.js';
import {
  ALL_REDUCTIONS,
  array,
  if_,
  int,
  layout,
  local,
  NO_REDUCTIONS,
  guardedBy,
  scope,
  spinlock,
  spinLock,
  spinUnlock,
  step,
  thread,
  tid,
  when,
  while_,
  type Block,
  type Node,
  type Reductions,
} from '../../src/lang/index.js';
import { outcomesOf } from '../helpers/verdicts.js';
import { langProgram, sharedStates } from './helpers.js';

type Op =
  | { readonly op: 'load'; readonly x: number }
  | { readonly op: 'store'; readonly x: number; readonly c: number }
  | { readonly op: 'cas'; readonly x: number; readonly from: number; readonly c: number }
  | { readonly op: 'inc' }
  | { readonly op: 'ifa'; readonly c: number; readonly then: readonly Op[]; readonly else: readonly Op[] }
  | {
      readonly op: 'when';
      readonly x: number;
      readonly c: number;
      readonly then: readonly Op[];
      readonly else: readonly Op[];
    }
  | { readonly op: 'await'; readonly x: number; readonly c: number }
  | { readonly op: 'locked'; readonly body: readonly Op[] }
  | { readonly op: 'ksection'; readonly body: readonly Op[] }
  | { readonly op: 'gload' }
  | { readonly op: 'gstore'; readonly c: number }
  | { readonly op: 'bug'; readonly x: number; readonly c: number };
interface Thread {
  /** `a` is declared dead outside each round (`scope`), or left to the liveness analysis. */
  readonly scoped: boolean;
  readonly rounds: number;
  readonly first: number;
  readonly body: readonly Op[];
}

const X = 3;
const V = 4;
const shared = layout({ x: array(X, int(0, V - 1)), lock: tid(), k: spinlock(), g: guardedBy('k', int(0, V - 1)) });
const { x, lock, k, g } = shared.refs;
interface L {
  readonly a: number;
  readonly i: number;
}

const small = fc.integer({ min: 0, max: V - 1 });
const cell = fc.integer({ min: 0, max: X - 1 });
const genOps = (depth: number, inK = false): fc.Arbitrary<Op[]> => {
  const leaf: fc.Arbitrary<Op>[] = [
    ...(inK
      ? [fc.constant({ op: 'gload' as const }), fc.record({ op: fc.constant('gstore' as const), c: small })]
      : []),
    fc.record({ op: fc.constant('load' as const), x: cell }),
    fc.record({ op: fc.constant('store' as const), x: cell, c: small }),
    fc.record({ op: fc.constant('cas' as const), x: cell, from: small, c: small }),
    fc.constant({ op: 'inc' as const }),
    fc.record({ op: fc.constant('await' as const), x: cell, c: small }),
    fc.record({ op: fc.constant('bug' as const), x: cell, c: small }),
  ];
  const nested: fc.Arbitrary<Op>[] =
    depth === 0
      ? []
      : [
          fc.record({
            op: fc.constant('ifa' as const),
            c: small,
            then: genOps(depth - 1, inK),
            else: genOps(depth - 1, inK),
          }),
          fc.record({
            op: fc.constant('when' as const),
            x: cell,
            c: small,
            then: genOps(depth - 1, inK),
            else: genOps(depth - 1, inK),
          }),
          fc.record({ op: fc.constant('locked' as const), body: genOps(depth - 1, inK) }),
          ...(inK ? [] : [fc.record({ op: fc.constant('ksection' as const), body: genOps(depth - 1, true) })]),
        ];
  return fc.array(fc.oneof(...leaf, ...nested), { maxLength: 3 });
};
const genThread: fc.Arbitrary<Thread> = fc.record({
  scoped: fc.boolean(),
  rounds: fc.integer({ min: 1, max: 2 }),
  first: cell,
  body: genOps(2),
});
const genProgram = fc.array(genThread, { minLength: 2, maxLength: 3 });

function nodes(ops: readonly Op[]): Block<L> {
  return ops.map((o): Node<L> => {
    switch (o.op) {
      case 'load':
        return step(`a = x[${o.x}]`, (c) => c.let({ a: c.get(x.at(o.x)) }));
      case 'store':
        return step(`x[${o.x}] = a + ${o.c}`, (c) => c.set(x.at(o.x), (c.l.a + o.c) % V));
      case 'cas':
        return step(`cas(x[${o.x}], ${o.from}, ${o.c})`, (c) => {
          if (c.get(x.at(o.x)) === o.from) c.set(x.at(o.x), o.c);
        });
      case 'inc':
        return local('a++', (l) => ({ a: (l.a + 1) % V }));
      case 'ifa':
        return if_((l) => l.a === o.c, nodes(o.then), nodes(o.else));
      case 'when':
        return when(`x[${o.x}] == ${o.c}?`, (c) => c.get(x.at(o.x)) === o.c, nodes(o.then), nodes(o.else));
      case 'await':
        return step(`await x[${o.x}] != ${o.c}`, (c) => c.await(c.get(x.at(o.x)) !== o.c));
      case 'locked':
        return {
          k: 'scope',
          locals: {},
          body: [step('lock', (c) => spinLock(c, lock)), ...nodes(o.body), step('unlock', (c) => spinUnlock(c, lock))],
        };
      case 'ksection':
        return {
          k: 'scope',
          locals: {},
          body: [step('lock k', (c) => spinLock(c, k)), ...nodes(o.body), step('unlock k', (c) => spinUnlock(c, k))],
        };
      case 'gload':
        return step('a = g', (c) => c.let({ a: c.get(g) }));
      case 'gstore':
        return step(`g = a + ${o.c}`, (c) => c.set(g, (c.l.a + o.c) % V));
      case 'bug':
        return step(`BUG_ON(x[${o.x}] == ${o.c})`, (c) => {
          if (c.get(x.at(o.x)) === o.c) c.bug('oops', `x[${o.x}] == ${o.c}`);
        });
    }
  });
}

/** Each round: `a` is loaded first (so it is dead between rounds), then a local i++. */
const body = (t: Thread): Block<L> => {
  const round: Block<L> = [step(`a = x[${t.first}]`, (c) => c.let({ a: c.get(x.at(t.first)) })), ...nodes(t.body)];
  return [
    while_<L>(
      (l) => l.i < t.rounds,
      [...(t.scoped ? [scope<L>({ a: 0 }, round)] : round), local('i++', (l) => ({ i: l.i + 1 }))],
    ),
  ];
};

const build = (prog: readonly Thread[], red: Reductions): Instance =>
  langProgram(
    () => ({
      layout: shared,
      threads: prog.map((t, k) => thread<L>(`T${k}`, { a: 0, i: 0 }, body(t))),
      properties: [
        endState<typeof shared.defaults>('x0-not-3', 'x[0] != 3 at the end', (v) => (v.s.x[0] === 3 ? 'x0 = 3' : null)),
        invariant<typeof shared.defaults>('x1-not-2', 'x[1] != 2', ['x[1]'], (v) => (v.s.x[1] === 2 ? 'x1 = 2' : null)),
        assertion('oops', 'a BUG_ON'),
        assertion('lock-misuse', 'unlock by a non-owner'),
      ],
      observes: {},
    }),
    red,
  );

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
