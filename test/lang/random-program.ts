/**
 * Random small programs in the model language, for the differential tests of the compiler's
 * reductions (test/lang/differential.test.ts) and of the compiled engine
 * (test/engine/differential.test.ts). Threads run rounds over three cells `x` of values 0..3:
 * loads into the local `a`, stores, CASes, awaits, BUG_ONs, branches on `a` or on a cell, sections
 * under a plain tid lock `lock`, and sections under a declared spinlock `k` touching the field
 * `g` it guards (mergeable, so the section-merging reduction has work to do).
 */
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import { assertion, endState, invariant } from '../../src/core/property.js';
import {
  array,
  guardedBy,
  if_,
  int,
  layout,
  local,
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
import { langProgram } from './helpers.js';

export type Op =
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

export interface RandomThread {
  /** `a` is declared dead outside each round (`scope`), or left to the liveness analysis. */
  readonly scoped: boolean;
  readonly rounds: number;
  readonly first: number;
  readonly body: readonly Op[];
}

const X = 3;
const V = 4;
export const shared = layout({
  x: array(X, int(0, V - 1)),
  lock: tid(),
  k: spinlock(),
  g: guardedBy('k', int(0, V - 1)),
});
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
  const sub = () => genOps(depth - 1, inK);
  const nested: fc.Arbitrary<Op>[] =
    depth === 0
      ? []
      : [
          fc.record({ op: fc.constant('ifa' as const), c: small, then: sub(), else: sub() }),
          fc.record({ op: fc.constant('when' as const), x: cell, c: small, then: sub(), else: sub() }),
          fc.record({ op: fc.constant('locked' as const), body: sub() }),
          ...(inK ? [] : [fc.record({ op: fc.constant('ksection' as const), body: genOps(depth - 1, true) })]),
        ];
  return fc.array(fc.oneof(...leaf, ...nested), { maxLength: 3 });
};

/** One thread; `scoped` fixed when given, else random. */
export const genThread = (scoped?: boolean): fc.Arbitrary<RandomThread> =>
  fc.record({
    scoped: scoped === undefined ? fc.boolean() : fc.constant(scoped),
    rounds: fc.integer({ min: 1, max: 2 }),
    first: cell,
    body: genOps(2),
  });

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
const body = (t: RandomThread): Block<L> => {
  const round: Block<L> = [step(`a = x[${t.first}]`, (c) => c.let({ a: c.get(x.at(t.first)) })), ...nodes(t.body)];
  return [
    while_<L>(
      (l) => l.i < t.rounds,
      [...(t.scoped ? [scope<L>({ a: 0 }, round)] : round), local('i++', (l) => ({ i: l.i + 1 }))],
    ),
  ];
};

/** The program's instance; `symmetric`: threads 0 and 1 declared interchangeable. */
export const buildProgram = (threads: readonly RandomThread[], red: Reductions, symmetric = false): Instance =>
  langProgram(
    () => ({
      layout: shared,
      threads: threads.map((t, n) => thread<L>(`T${n}`, { a: 0, i: 0 }, body(t))),
      properties: [
        endState<typeof shared.defaults>('x0-not-3', 'x[0] != 3 at the end', (v) => (v.s.x[0] === 3 ? 'x0 = 3' : null)),
        invariant<typeof shared.defaults>('x1-not-2', 'x[1] != 2', ['x[1]'], (v) => (v.s.x[1] === 2 ? 'x1 = 2' : null)),
        assertion('oops', 'a BUG_ON'),
        assertion('lock-misuse', 'unlock by a non-owner'),
      ],
      observes: {},
      ...(symmetric ? { symmetry: { groups: [[0, 1]] } } : {}),
    }),
    red,
  );
