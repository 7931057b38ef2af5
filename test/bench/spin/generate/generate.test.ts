/**
 * The Promela generator (bench/spin/generate) on a tiny program: two threads increment a shared
 * counter with a load and a store (the lost update), under an invariant and an end-state
 * property. The exact text of one thread, and the machine behind it.
 */
import { describe, expect, it } from '@jest/globals';
import { instantiate } from '../../../../src/core/instantiate.js';
import { endState, invariant } from '../../../../src/core/property.js';
import { defineModel, int, layout, step, thread } from '../../../../src/lang/index.js';
import { generatePromela } from '../../../../bench/spin/generate/index.js';
import { machineOf } from '../../../../bench/spin/generate/machine.js';

interface L {
  readonly v: number;
}
const shared = layout({ x: int(0, 2) });
const { x } = shared.refs;

/** x++ as a load and a store: the lost update. */
const body = [
  step<L>('inc: v = x', (c) => c.let({ v: c.get(x) })),
  step<L>('inc: x = v + 1', (c) => c.set(x, c.l.v + 1)),
];

const model = defineModel({
  name: 'tiny',
  title: 'tiny',
  story: 'two increments',
  params: {},
  options: {},
  variants: { tiny: { doc: '', options: {}, expect: { 'not-two': 'violated', 'both-counted': 'violated' } } },
  build: () => ({
    layout: shared,
    threads: [thread<L>('a', { v: -1 }, body), thread<L>('b', { v: -1 }, body)],
    properties: [
      invariant<typeof shared.defaults>('not-two', 'x is never 2', ['x'], (v) => (v.s.x === 2 ? 'x = 2' : null)),
      endState<typeof shared.defaults>('both-counted', 'x = 2 at the end', (v) =>
        v.s.x === 2 ? null : `x = ${v.s.x}`,
      ),
    ],
    observes: { locals: ['v'] },
  }),
});

describe('generatePromela', () => {
  const inst = instantiate(model, 'tiny');

  it("finds each thread's control states and the values each field can hold", () => {
    const m = machineOf(inst);
    // Per thread: pc 0 (v = -1); pc 1 with v = 0, 1, 2 (x's values); finished with v = 0, 1
    // (v = 2 would store x = 3, outside x's domain: a model error, unreachable here).
    expect(m.threads.map((t) => [t.states.length, t.firstDone, t.initial])).toEqual([
      [6, 4, 0],
      [6, 4, 0],
    ]);
    expect(m.values[0]).toEqual([0, 1, 2]);
  });

  it('emits one labelled if per control state, one d_step per outcome, a jump to the next', () => {
    const pml = generatePromela(inst);
    expect(pml).toContain('#define INV_not_two assert(P_not_two || !(x == 2))');
    expect(pml).toContain('#define END assert(P_both_counted || !(x != 2))');
    expect(pml).toContain('byte x = 0; /* x: int, values 0, 1, 2 */');
    const proc = pml.slice(pml.indexOf('proctype p_b()'), pml.indexOf('\ninit {'));
    expect(proc.trim().split('\n')).toEqual([
      'proctype p_b() {',
      '  /* cs 0: pc 0 \'inc: v = x\', locals {"v":-1} */',
      'end_c0:',
      '  if',
      '  :: d_step { cs_b == 0 && (x == 0) -> cs_b = 1 }; goto end_c1',
      '  :: d_step { cs_b == 0 && (x == 1) -> cs_b = 2 }; goto end_c2',
      '  :: d_step { cs_b == 0 && (x == 2) -> cs_b = 3 }; goto end_c3',
      '  fi;',
      '  /* cs 1: pc 1 \'inc: x = v + 1\', locals {"v":0} */',
      'end_c1:',
      '  if',
      '  :: d_step { cs_b == 1 -> x = 1; cs_b = 4; INV_not_two }; goto end_done',
      '  fi;',
      '  /* cs 2: pc 1 \'inc: x = v + 1\', locals {"v":1} */',
      'end_c2:',
      '  if',
      '  :: d_step { cs_b == 2 -> x = 2; cs_b = 5; INV_not_two }; goto end_done',
      '  fi;',
      '  /* cs 3: pc 1 \'inc: x = v + 1\', locals {"v":2} */',
      'end_c3:',
      '  if',
      '  :: d_step { cs_b == 3 -> assert(P_model_error); STOP /* model error: set x = 3 is outside its domain (0..2) */ }; goto end_done',
      '  fi;',
      'end_done:',
      '  false',
      '}',
    ]);
    expect(pml.slice(pml.indexOf('init {')).trim().split('\n')).toEqual([
      'init {',
      '  atomic { INV_not_two; run p_a(); run p_b() };',
      '  /* no thread can move (timeout): stopped by a BUG, finished (end-state properties) or a deadlock */',
      'end_init:',
      '  atomic {',
      '    timeout ->',
      '    if',
      '    :: cs_a == 6 -> skip',
      '    :: else -> if :: cs_a >= 4 && cs_b >= 4 -> END :: else -> assert(P_deadlock_free) fi',
      '    fi',
      '  }',
      '}',
    ]);
  });

  it('restricted to one property, keeps only its checks', () => {
    const pml = generatePromela(inst, { only: 'both-counted' });
    expect(pml).not.toContain('P_not_two');
    expect(pml).not.toContain('P_deadlock_free)');
    expect(pml).toContain('#define END assert(P_both_counted || !(x != 2))');
  });
});
