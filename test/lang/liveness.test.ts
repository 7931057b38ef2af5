/**
 * Dead locals computed from the structured code: what the scan reads from a closure's source
 * (src/lang/scan.ts), the liveness analysis over the flattened graph (src/lang/liveness.ts), the
 * resets it gives and the check of a declared `uses`. Exact counts derived by hand.
 */
import { describe, expect, test } from '@jest/globals';
import { explore } from '../../src/explore/explore.js';
import { flatten } from '../../src/lang/flatten.js';
import { liveness } from '../../src/lang/liveness.js';
import { scanLocals } from '../../src/lang/scan.js';
import {
  ALL_REDUCTIONS,
  if_,
  int,
  layout,
  local,
  loop,
  NO_REDUCTIONS,
  step,
  thread,
  type Block,
  type Ctx,
  type Reductions,
} from '../../src/lang/index.js';
import { langProgram } from './helpers.js';

const shared = layout({ x: int(0, 3), y: int(0, 3) });
const { x, y } = shared.refs;
interface L {
  readonly a: number;
  readonly b: number;
}
const helper = (c: Ctx<L>) => c.l.b;

describe('the scan of a closure', () => {
  const scan = (f: (...a: never[]) => unknown, kind: 'ctx' | 'locals') => scanLocals(f, kind);

  test('reads: the locals named through the parameter', () => {
    expect(scan((c: Ctx<L>) => c.set(x, c.l.a + 1), 'ctx')).toEqual({ reads: ['a'], writes: [] });
    expect(scan((l: L) => l.a === 1 || l.b === 2, 'locals')).toEqual({ reads: ['a', 'b'], writes: [] });
    expect(scan((c: Ctx<L>) => c.await(c.get(x) === c.tid), 'ctx')).toEqual({ reads: [], writes: [] });
  });

  test('a parameter that escapes (a helper, a spread, an alias) reads every local', () => {
    expect(scan((c: Ctx<L>) => c.set(x, helper(c)), 'ctx').reads).toBeNull();
    expect(scan((l: L) => ({ ...l, a: 1 }), 'locals').reads).toBeNull();
    expect(
      scan((c: Ctx<L>) => {
        const l = c.l;
        return l.a;
      }, 'ctx').reads,
    ).toBeNull();
  });

  test('definite writes: only a function that is one let or one object literal', () => {
    expect(scan((c: Ctx<L>) => c.let({ a: c.get(x), b: 0 }), 'ctx').writes).toEqual(['a', 'b']);
    expect(scan((l: L) => ({ a: l.a + 1 }), 'locals')).toEqual({ reads: ['a'], writes: ['a'] });
    expect(
      scan((c: Ctx<L>) => {
        if (c.get(x) === 1) c.let({ a: 1 });
      }, 'ctx').writes,
    ).toEqual([]);
    expect(scan((c: Ctx<L>) => (c.let({ a: 1 }), c.let({ b: 2 })), 'ctx').writes).toEqual([]);
  });
});

describe('the liveness analysis', () => {
  test('a local is dead where every path writes it before reading it', () => {
    // loop { a = x; if (a == 1) { y = a } ; b = y }:  a is dead at 'a = x' (written first) and at
    // 'b = y'; b is never read: dead everywhere.
    const body: Block<L> = [
      loop([
        step('a = x', (c) => c.let({ a: c.get(x) })),
        if_((l) => l.a === 1, [step('y = a', (c) => c.set(y, c.l.a))]),
        step('b = y', (c) => c.let({ b: c.get(y) })),
      ]),
    ];
    const flat = flatten(body, 'T');
    const at = (label: string) =>
      liveness(flat.nodes, ['a', 'b']).deadAt(flat.nodes.findIndex((n) => 'label' in n && n.label === label));
    expect([at('a = x'), at('y = a'), at('b = y')]).toEqual([['a', 'b'], ['b'], ['a', 'b']]);
    expect(liveness(flat.nodes, ['a', 'b']).deadAt(0)).toEqual(['a', 'b']);
  });

  test('an unscoped dead local is reset: the states that differ only in it are one', () => {
    // T0: a = x; y = 1 (a never read).  T1: x = 1.  As the scope example of the differential
    // test, without the scope: 8 states off, 6 on (a is reset when T0 reaches 'y = 1').
    const count = (red: Reductions) => {
      const r = explore(
        langProgram(
          () => ({
            layout: shared,
            threads: [
              thread<L>('T0', { a: 0, b: 0 }, [
                step('a = x', (c) => c.let({ a: c.get(x) })),
                step('y = 1', (c) => c.set(y, 1)),
              ]),
              thread<L>('T1', { a: 0, b: 0 }, [step('x = 1', (c) => c.set(x, 1))]),
            ],
            properties: [],
            observes: {},
          }),
          red,
        ),
        { strategy: 'naive', stopAtFirst: false },
      );
      return r.kind === 'pass' ? r.stats.states : r.kind;
    };
    expect([count(NO_REDUCTIONS), count({ ...ALL_REDUCTIONS, liveness: false }), count(ALL_REDUCTIONS)]).toEqual([
      8, 8, 6,
    ]);
  });
});

describe('threads sharing code', () => {
  test("a dead local is reset to its own thread's initial value", () => {
    // T0 starts with a = 1, T1 with a = 2; both run y = a, after which a is dead.
    const body: Block<L> = [step('y = a', (c) => c.set(y, c.l.a))];
    const inst = langProgram(() => ({
      layout: shared,
      threads: [thread<L>('T0', { a: 1, b: 0 }, body), thread<L>('T1', { a: 2, b: 0 }, body)],
      properties: [],
      observes: {},
    }));
    const [t0, t1] = inst.program.threads.map((t) => t.steps[0]);
    expect(t0.run(shared.defaults, { a: 1, b: 0 }, 0).l).toBeUndefined();
    expect(t1.run(shared.defaults, { a: 2, b: 0 }, 1).l).toBeUndefined();
  });
});

describe('a declared uses', () => {
  const run = (uses: string[]) => {
    const r = explore(
      langProgram(() => ({
        layout: shared,
        threads: [
          thread<L>('T0', { a: 1, b: 2 }, [
            local('a = 1', () => ({ a: 1 })),
            step('y = helper', (c) => c.set(y, helper(c)), { uses }),
          ]),
        ],
        properties: [],
        observes: {},
      })),
      { strategy: 'naive', stopAtFirst: false },
    );
    return r.kind === 'error' ? [r.code, r.message] : [r.kind];
  };

  test('covers a read through a helper', () => {
    expect(run(['b'])).toEqual(['pass']);
  });

  test('a read it does not list is a model error naming the step, before the search', () => {
    expect(() => run(['a'])).toThrow(
      "model 'test' variant 'default' thread 'T0' step 'y = helper': read local 'b', which its uses [a] does not list",
    );
  });
});
