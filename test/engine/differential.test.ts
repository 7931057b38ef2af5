/**
 * Differential test of the compiled engine on random small language programs (fixed seed):
 * every strategy on the compiled engine gives the reference naive search's verdicts; the
 * compiled engine reaches the reference engine's reachable and terminal shared states; and
 * where the algorithm is the same (naive, bfs, dfs, odpor) it stores as many states as on the
 * reference engine, with symmetry (two copies of one thread, declared interchangeable) and
 * without.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import { assertion, endState, invariant } from '../../src/core/property.js';
import { VecSystem } from '../../src/engine/system.js';
import { explore, type SearchStrategy } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/result.js';
import {
  array,
  if_,
  int,
  layout,
  local,
  NO_REDUCTIONS,
  scope,
  spinLock,
  spinUnlock,
  step,
  thread,
  tid,
  when,
  while_,
  type Block,
  type Node,
} from '../../src/lang/index.js';
import { outcomesOf } from '../helpers/verdicts.js';
import { langProgram, sharedStates } from '../lang/helpers.js';

type Op =
  | { readonly op: 'load'; readonly x: number }
  | { readonly op: 'store'; readonly x: number; readonly c: number }
  | { readonly op: 'cas'; readonly x: number; readonly from: number; readonly c: number }
  | { readonly op: 'inc' }
  | { readonly op: 'ifa'; readonly c: number; readonly then: readonly Op[]; readonly else: readonly Op[] }
  | { readonly op: 'when'; readonly x: number; readonly c: number; readonly then: readonly Op[] }
  | { readonly op: 'await'; readonly x: number; readonly c: number }
  | { readonly op: 'locked'; readonly body: readonly Op[] }
  | { readonly op: 'bug'; readonly x: number; readonly c: number };
interface Thread {
  readonly rounds: number;
  readonly first: number;
  readonly body: readonly Op[];
}

const X = 3;
const V = 4;
const shared = layout({ x: array(X, int(0, V - 1)), lock: tid() });
const { x, lock } = shared.refs;
interface L {
  readonly a: number;
  readonly i: number;
}

const small = fc.integer({ min: 0, max: V - 1 });
const cell = fc.integer({ min: 0, max: X - 1 });
const genOps = (depth: number): fc.Arbitrary<Op[]> => {
  const leaf: fc.Arbitrary<Op>[] = [
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
          fc.record({ op: fc.constant('ifa' as const), c: small, then: genOps(depth - 1), else: genOps(depth - 1) }),
          fc.record({ op: fc.constant('when' as const), x: cell, c: small, then: genOps(depth - 1) }),
          fc.record({ op: fc.constant('locked' as const), body: genOps(depth - 1) }),
        ];
  return fc.array(fc.oneof(...leaf, ...nested), { maxLength: 3 });
};
const genThread: fc.Arbitrary<Thread> = fc.record({
  rounds: fc.integer({ min: 1, max: 2 }),
  first: cell,
  body: genOps(2),
});
/** Two or three threads; `twin`: thread 0 runs twice, the two copies declared symmetric. */
const genProgram = fc.record({ threads: fc.array(genThread, { minLength: 1, maxLength: 2 }), twin: fc.boolean() });

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
        return when(`x[${o.x}] == ${o.c}?`, (c) => c.get(x.at(o.x)) === o.c, nodes(o.then), []);
      case 'await':
        return step(`await x[${o.x}] != ${o.c}`, (c) => c.await(c.get(x.at(o.x)) !== o.c));
      case 'locked':
        return {
          k: 'scope',
          locals: {},
          body: [step('lock', (c) => spinLock(c, lock)), ...nodes(o.body), step('unlock', (c) => spinUnlock(c, lock))],
        };
      case 'bug':
        return step(`BUG_ON(x[${o.x}] == ${o.c})`, (c) => {
          if (c.get(x.at(o.x)) === o.c) c.bug('oops', `x[${o.x}] == ${o.c}`);
        });
    }
  });
}

const body = (t: Thread): Block<L> => [
  while_<L>(
    (l) => l.i < t.rounds,
    [
      scope<L>({ a: 0 }, [step(`a = x[${t.first}]`, (c) => c.let({ a: c.get(x.at(t.first)) })), ...nodes(t.body)]),
      local('i++', (l) => ({ i: l.i + 1 })),
    ],
  ),
];

const build = (p: { threads: readonly Thread[]; twin: boolean }): Instance => {
  const ts = p.twin ? [p.threads[0], ...p.threads] : p.threads;
  return langProgram(
    () => ({
      layout: shared,
      threads: ts.map((t, k) => thread<L>(`T${k}`, { a: 0, i: 0 }, body(t))),
      properties: [
        endState<typeof shared.defaults>('x0-not-3', 'x[0] != 3 at the end', (v) => (v.s.x[0] === 3 ? 'x0 = 3' : null)),
        invariant<typeof shared.defaults>('x1-not-2', 'x[1] != 2', ['x[1]'], (v) => (v.s.x[1] === 2 ? 'x1 = 2' : null)),
        assertion('oops', 'a BUG_ON'),
        assertion('lock-misuse', 'unlock by a non-owner'),
      ],
      observes: {},
      ...(p.twin ? { symmetry: { groups: [[0, 1]] } } : {}),
    }),
    NO_REDUCTIONS,
  );
};

/** Reachable and terminal shared states of the compiled engine (decoded), by a plain walk. */
function vecSharedStates(inst: Instance): { reach: Set<string>; terminal: Set<string> } {
  const sys = new VecSystem(inst, undefined, { symmetry: false });
  const seen = new Set<string>();
  const reach = new Set<string>();
  const terminal = new Set<string>();
  const queue = [sys.initial()];
  seen.add(queue[0].join());
  while (queue.length) {
    const v = queue.shift()!;
    reach.add(JSON.stringify(sys.enc.shared(v)));
    const en = sys.enabledMask(v);
    if (sys.doneMask(v) === sys.allDone) terminal.add(JSON.stringify(sys.enc.shared(v)));
    for (let t = 0; t < sys.n; t++) {
      if (!(en & (1 << t))) continue;
      const e = sys.exec(v, t);
      if (e.violation || seen.has(e.g.join())) continue;
      seen.add(e.g.join());
      queue.push(e.g);
    }
  }
  return { reach, terminal };
}

const counts = (r: SearchResult) => (r.kind === 'error' ? r.message : [r.kind, r.stats.states, r.stats.transitions]);
const ALL: readonly SearchStrategy[] = ['naive', 'dfs', 'bfs', 'odpor', 'preempt', 'random'];
const SAME_ALGORITHM: readonly SearchStrategy[] = ['naive', 'dfs', 'bfs', 'odpor'];

describe('compiled engine: differential on random programs', () => {
  test('every compiled strategy: the reference verdicts, states and shared states', () => {
    fc.assert(
      fc.property(genProgram, (p) => {
        const inst = build(p);
        const reference = outcomesOf(inst, explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false }));
        for (const strategy of ALL) {
          // random: enough runs from a fixed seed to meet every outcome of these tiny programs.
          const opts = { strategy, stopAtFirst: false, seed: 1, runs: 400 };
          const vec = explore(inst, { ...opts, engine: 'compiled' });
          if (strategy !== 'random') expect([strategy, outcomesOf(inst, vec)]).toEqual([strategy, reference]);
          if (SAME_ALGORITHM.includes(strategy))
            expect([strategy, counts(vec)]).toEqual([strategy, counts(explore(inst, opts))]);
        }
        const a = sharedStates(inst);
        const b = vecSharedStates(inst);
        expect([...b.reach].sort()).toEqual([...a.reach].sort());
        expect([...b.terminal].sort()).toEqual([...a.terminal].sort());
      }),
      { seed: 13, numRuns: 60 },
    );
  });
});
